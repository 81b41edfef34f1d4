import type { ValidateFunction } from 'ajv';
import request from 'supertest';
import { type ApiVersion, atLeast } from '../src/common/versioning/versions';
import { DOCUMENTED_VERSIONS } from '../src/docs/openapi-versions';
import { putTicket, useSeededApp } from './support/app';
import {
  auditRows,
  IDS,
  partRows,
  seedWorkspace,
  type TicketRow,
  ticketRow,
  ticketState,
  withFileAndAttachment,
} from './support/factories';
import {
  loadExcerpt,
  type OpenApiDoc,
  operationSchema,
  resolve,
  type Schema,
  ticketPath,
  validatorFor,
  violations,
} from './support/openapi';
import { COMPANY, STATES, statesSnapshot } from './support/states';

/*
 * Issue #11: at every version, real bodies are exactly that version's ticket. Each body validates against
 * Intercom's own `ticket` schema of the version (the excerpt, closed: no property it does not declare, anywhere,
 * and every one it declares present but the few that are optional by nature) and against our document of the
 * version, has the version's top-level fields and no other, and GET equals `PUT {}` byte for byte. The database
 * shows what each response says.
 */

/** Properties a body may omit, by owner (a schema name, then `.property` / `[]` steps). */
const OPTIONAL: Record<string, string[]> = {
  // BEHAVIOUR.md §1 and §6: state fields only on state parts, assigned_to only on assignment parts,
  // updated_attribute_data only on attribute parts (2.14 on); app_package_code and translations never.
  ticket_part: [
    'ticket_state',
    'previous_ticket_state',
    'assigned_to',
    'updated_attribute_data',
    'app_package_code',
    'translations',
  ],
  // Attachments and file values are shown as imported: only type, name and url are always there.
  part_attachment: ['content_type', 'filesize', 'width', 'height'],
  file_attribute: ['content_type', 'filesize', 'width', 'height'],
};

const TICKET_REF: Schema = { $ref: '#/components/schemas/ticket' };

/**
 * Intercom's schema of a version, amended where our bodies deliberately differ from it in a way a validator
 * sees (the full list: test/openapi.e2e-spec.ts DELIBERATE, README "The API"): `snoozed_until` is null when the
 * ticket is not snoozed (BEHAVIOUR.md §6; the excerpt's own description says so, its schema omits nullable).
 */
function amendedExcerpt(version: ApiVersion): OpenApiDoc {
  const doc = structuredClone(loadExcerpt(version));
  const snoozedUntil = doc.components.schemas.ticket.properties!.snoozed_until;
  if (snoozedUntil) snoozedUntil.nullable = true;
  return doc;
}

/** The whole request of a version, as its document describes it: every field, on the demo-like workspace. */
function fullUpdate(version: ApiVersion): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ticket_attributes: { _default_title_: 'New title', Priority: 'Low', 'Affected users': 3 },
    is_shared: false,
  };
  if (atLeast(version, '2.10')) Object.assign(body, { open: true, snoozed_until: inOneDay() });
  if (atLeast(version, '2.12')) {
    Object.assign(body, { ticket_state_id: STATES.investigating, company_id: COMPANY });
  } else body.state = 'waiting_on_customer';
  if (atLeast(version, '2.13')) body.skip_notifications = true;
  if (atLeast(version, '2.14'))
    Object.assign(body, { admin_id: Number(IDS.admin), assignee_id: IDS.otherAdmin });
  else body.assignment = { admin_id: IDS.admin, assignee_id: IDS.otherAdmin };
  return body;
}

/** The value Swagger UI pre-fills for a schema: its example, else an object of its properties' examples. */
function exampleOf(doc: OpenApiDoc, schema: Schema): unknown {
  if (schema.example !== undefined) return schema.example;
  const resolved = resolve(doc, schema).schema;
  if (resolved.example !== undefined) return resolved.example;
  return Object.fromEntries(
    Object.entries(resolved.properties ?? {}).map(([name, property]) => [name, exampleOf(doc, property)]),
  );
}

const ticketPathOf = (version: ApiVersion) => ticketPath(loadExcerpt(version));

const inOneDay = () => Math.floor(Date.now() / 1000) + 86_400;
const unix = (date: Date | null) => (date === null ? null : Math.floor(date.getTime() / 1000));

type Part = Record<string, unknown> & { part_type: string };
type Ticket = Record<string, unknown> & { ticket_parts: { ticket_parts: Part[]; total_count: number } };

/** Which optional part fields a part carries, by its type (BEHAVIOUR.md §1, §6). */
function expectPartFields(part: Part, version: ApiVersion): void {
  const has = (field: string) => Object.hasOwn(part, field);
  const isState = part.part_type === 'ticket_state_updated_by_admin';
  expect([part.part_type, has('ticket_state'), has('previous_ticket_state')]).toEqual([
    part.part_type,
    isState,
    isState,
  ]);
  expect([part.part_type, has('assigned_to')]).toEqual([part.part_type, part.part_type === 'assignment']);
  expect([part.part_type, has('updated_attribute_data')]).toEqual([
    part.part_type,
    part.part_type === 'ticket_attribute_updated_by_admin' && atLeast(version, '2.14'),
  ]);
  expect(has('app_package_code') || has('translations')).toBe(false);
}

/** The response says what the row holds. */
function expectRowShown(body: Ticket, row: TicketRow, version: ApiVersion): void {
  const state = atLeast(version, '2.12') ? (body.ticket_state as { id: string; category: string }) : null;
  if (state) expect([state.id, state.category]).toEqual([row.ticket_state_id, row.state]);
  else expect(body.ticket_state).toBe(row.state);
  const assignee = (id: string | null) => (atLeast(version, '2.16') ? Number(id ?? 0) : (id ?? '0'));
  expect(body.admin_assignee_id).toBe(assignee(row.admin_assignee_id));
  expect(body.team_assignee_id).toBe(assignee(row.team_assignee_id));
  expect(body.is_shared).toBe(row.is_shared);
  expect(body.ticket_attributes).toEqual(row.attributes);
  expect(body.updated_at).toBe(unix(row.updated_at));
  if (atLeast(version, '2.10')) {
    expect(body.open).toBe(row.open);
    expect(body.snoozed_until).toBe(unix(row.snoozed_until));
  }
  if (atLeast(version, '2.16')) expect(body.previous_ticket_state_id).toBe(row.previous_ticket_state_id);
}

describe('every version: real bodies are that version exactly (issue #11)', () => {
  const ctx = useSeededApp(() => seedWorkspace((id) => withFileAndAttachment(statesSnapshot(id))));
  const documents = new Map<ApiVersion, OpenApiDoc>();

  beforeAll(async () => {
    for (const version of DOCUMENTED_VERSIONS) {
      const res = await request(ctx.t.http).get(`/openapi.json?version=${version}`).expect(200);
      documents.set(version, res.body as OpenApiDoc);
    }
  });

  describe.each(DOCUMENTED_VERSIONS)('Intercom-Version %s', (version) => {
    let againstExcerpt: ValidateFunction;
    let againstOurs: ValidateFunction;
    const requiredDiffs: string[] = [];
    const fields = Object.keys(resolve(loadExcerpt(version), TICKET_REF).schema.properties!).sort();

    const put = (body: unknown) =>
      putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body, { 'Intercom-Version': version }).expect(200);
    const get = () =>
      request(ctx.t.http)
        .get(`/tickets/${IDS.ticket}`)
        .set('Authorization', `Bearer ${ctx.ws.token}`)
        .set('Intercom-Version', version)
        .expect(200);
    const row = () => ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);

    /** Exactly the version's ticket: its fields, Intercom's schema, our schema, and the optional part fields. */
    function expectVersionTicket(body: Ticket): void {
      expect(Object.keys(body).sort()).toEqual(fields);
      expect(violations(againstExcerpt, body)).toEqual([]);
      expect(violations(againstOurs, body)).toEqual([]);
      for (const part of body.ticket_parts.ticket_parts) expectPartFields(part, version);
    }

    beforeAll(() => {
      againstExcerpt = validatorFor(amendedExcerpt(version), TICKET_REF, {
        optional: OPTIONAL,
        enforceRequired: true,
      });
      const ours = documents.get(version)!;
      againstOurs = validatorFor(ours, operationSchema(ours, '/tickets/{id}', 'put', '200'), {
        optional: OPTIONAL,
        requiredDiffs,
      });
    });

    it('our document requires every field a body always has, and no other', () => {
      expect(requiredDiffs).toEqual([]);
    });

    it('PUT {}, a full update, PUT {} again; GET equals PUT {}; the row says what the bodies say', async () => {
      // Untouched: PUT {} writes nothing, and GET is its body byte for byte.
      const untouched = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      const first = await put({});
      expectVersionTicket(first.body as Ticket);
      expect((await get()).text).toBe(first.text);
      expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(untouched);
      expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(0);
      expectRowShown(first.body as Ticket, await row(), version);
      if (atLeast(version, '2.10')) expect(first.body.snoozed_until).toBeNull();

      // The version's whole request.
      const request = fullUpdate(version);
      const full = await put(request);
      const body = full.body as Ticket;
      expectVersionTicket(body);
      const after = await row();
      expectRowShown(body, after, version);
      expect(after).toMatchObject({
        state: atLeast(version, '2.12') ? 'in_progress' : 'waiting_on_customer',
        admin_assignee_id: IDS.otherAdmin,
        is_shared: false,
        attributes: { _default_title_: 'New title', Priority: 'Low', 'Affected users': 3 },
      });
      if (atLeast(version, '2.12')) {
        expect(after).toMatchObject({ ticket_state_id: STATES.investigating, company_id: COMPANY });
      }
      if (atLeast(version, '2.10')) expect(unix(after.snoozed_until)).toBe(request.snoozed_until);
      const parts = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(body.ticket_parts.total_count).toBe(parts.length);
      expect(body.ticket_parts.ticket_parts.map((part) => [part.id, part.part_type])).toEqual(
        parts.map((part) => [part.id, part.part_type]),
      );
      expect(parts.map((part) => part.part_type)).toEqual([
        'comment',
        'ticket_attribute_updated_by_admin',
        'ticket_attribute_updated_by_admin',
        'ticket_attribute_updated_by_admin',
        'ticket_state_updated_by_admin',
        'assignment',
        ...(atLeast(version, '2.10') ? ['snoozed'] : []),
      ]);
      expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(1);

      // PUT {} again: nothing written; GET is its body byte for byte, and both are this version's.
      const updated = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      const again = await put({});
      expectVersionTicket(again.body as Ticket);
      const got = await get();
      expect(got.text).toBe(again.text);
      expect(got.headers['intercom-version']).toBe(version);
      expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(updated);
      expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(1);
      expectRowShown(again.body as Ticket, updated.ticket, version);
    });

    it("accepts the request /docs pre-fills from this version's document (its examples)", async () => {
      const ours = documents.get(version)!;
      const body = exampleOf(ours, operationSchema(ours, '/tickets/{id}', 'put', 'request'));
      expect(Object.keys(body as object).sort()).toEqual(
        Object.keys(
          resolve(
            loadExcerpt(version),
            operationSchema(loadExcerpt(version), ticketPathOf(version), 'put', 'request'),
          ).schema.properties!,
        ).sort(),
      );
      const res = await put(body);
      expectVersionTicket(res.body as Ticket);
      expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(1);
      expectRowShown(res.body as Ticket, await row(), version);
    });

    it('the validators see a field too many or too few', async () => {
      const body = (await put({})).body as Ticket;
      const extra = { ...structuredClone(body), surprise: true };
      expect(violations(againstExcerpt, extra)).toEqual([expect.stringContaining('additional properties')]);
      expect(violations(againstOurs, extra)).toEqual([expect.stringContaining('additional properties')]);
      const missing = structuredClone(body) as Record<string, unknown>;
      delete missing.is_shared;
      expect(violations(againstExcerpt, missing)).toEqual([expect.stringContaining("'is_shared'")]);
      expect(violations(againstOurs, missing)).toEqual([expect.stringContaining("'is_shared'")]);
    });

    it(
      atLeast(version, '2.12')
        ? 'GET /ticket_states is exactly our ticket_state_list'
        : 'GET /ticket_states does not exist yet (400)',
      async () => {
        const res = await request(ctx.t.http)
          .get('/ticket_states')
          .set('Authorization', `Bearer ${ctx.ws.token}`)
          .set('Intercom-Version', version);
        if (!atLeast(version, '2.12')) {
          expect(res.status).toBe(400);
          expect(res.body.errors[0]).toMatchObject({
            code: 'intercom_version_invalid',
            field: 'Intercom-Version',
          });
          return;
        }
        expect(res.status).toBe(200);
        const ours = documents.get(version)!;
        const schema = operationSchema(ours, '/ticket_states', 'get', '200');
        const diffs: string[] = [];
        const validate = validatorFor(ours, schema, { optional: {}, requiredDiffs: diffs });
        expect(diffs).toEqual([]);
        expect(violations(validate, res.body)).toEqual([]);
        const { rows } = await ctx.t.db.query<{ id: string }>(
          'SELECT id::text FROM ticket_states WHERE workspace_id = $1 ORDER BY ticket_states.id',
          [ctx.ws.workspaceId],
        );
        expect(res.body.data.map((state: { id: string }) => state.id)).toEqual(rows.map((state) => state.id));
        const investigating = res.body.data.find(
          (state: { id: string }) => state.id === STATES.investigating,
        );
        expect(investigating.ticket_types.data).toEqual([
          {
            type: 'ticket_type',
            id: IDS.bugType,
            name: 'Bug',
            description: 'A bug that has been reported.',
            icon: '🐞',
            archived: false,
            category: 'Back-office',
          },
        ]);
      },
    );
  });
});
