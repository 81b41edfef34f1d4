import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { putTicket, type TestApp, useSeededApp } from './support/app';
import { IDS, seedWorkspace, ticketRow } from './support/factories';

/**
 * Responses checked against the 2.9 OpenAPI excerpt. The excerpt has no `required` lists, so a strict copy
 * requires every listed property and forbids any other, except where BEHAVIOUR.md §1 makes a field conditional.
 */
// A copy of shared/spec's excerpt, so a clone tests alone; .ci/run checks the copy still matches shared/.
const SPEC_FILE = join(__dirname, 'fixtures', 'intercom-2.9-update-ticket.openapi.yaml');
const SPEC_ID = 'intercom-2.9';

type Schema = { [key: string]: unknown };

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** BEHAVIOUR.md §1: state fields only on state parts, assigned_to only on assignment parts. */
const OPTIONAL: Record<string, string[]> = {
  ticket_part: ['previous_ticket_state', 'ticket_state', 'assigned_to'],
  error: ['field'],
};
/** Free-form by design: attribute values are whatever the ticket type allows. */
const LEFT_AS_IS = new Set(['ticket_custom_attributes', 'file_attribute']);

/** A copy in which every object schema with `properties` requires them all and allows nothing else. */
function strict(node: unknown, optional: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => strict(item, optional));
  if (!isSchema(node)) return node;
  const copy: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v, optional)]));
  // OpenAPI 3.0 puts `nullable` beside `$ref`, where JSON Schema ignores it (and ajv needs a `type`).
  if (typeof copy.$ref === 'string' && copy.nullable === true) {
    return { anyOf: [{ $ref: copy.$ref }, { type: 'null' }] };
  }
  if (isSchema(copy.properties)) {
    copy.required = Object.keys(copy.properties).filter((name) => !optional.includes(name));
    copy.additionalProperties = false;
  }
  return copy;
}

type Spec = {
  paths: Record<string, { put: { responses: Record<string, { content: Record<string, Schema> }> } }>;
  components: { schemas: Record<string, Schema> };
};

const SPEC = parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;

function loadValidators(spec: Spec): { ticket: ValidateFunction; error: ValidateFunction } {
  const schemas = Object.fromEntries(
    Object.entries(spec.components.schemas).map(([name, schema]) => [
      name,
      LEFT_AS_IS.has(name) ? schema : strict(schema, OPTIONAL[name] ?? []),
    ]),
  );
  // A 200 body is a ticket, never null.
  delete (schemas.ticket as Schema).nullable;
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: SPEC_ID, components: { schemas } });
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
    if (!validate) throw new Error(`schema ${name} not found in ${SPEC_FILE}`);
    return validate;
  };
  return { ticket: get('ticket'), error: get('error') };
}

/** Validation errors as readable lines, so a failure says what is wrong. */
function problems(validate: ValidateFunction, body: unknown): string[] {
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

type Part = {
  id: string;
  part_type: string;
  assigned_to?: { type: string; id: string | null };
  created_at: number;
};

/** Every [path, value] whose key matches, anywhere in the body. */
function collect(node: unknown, match: (key: string) => boolean, path = ''): [string, unknown][] {
  if (Array.isArray(node)) return node.flatMap((item, i) => collect(item, match, `${path}[${i}]`));
  if (!isSchema(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => [
    ...(match(key) ? [[`${path}.${key}`, value] as [string, unknown]] : []),
    ...collect(value, match, `${path}.${key}`),
  ]);
}

/** The ticket's stored part ids in numeric order (support's partRows sorts its text ids as text). */
async function storedPartIds(t: TestApp, workspaceId: string): Promise<string[]> {
  const { rows } = await t.db.query<{ id: string }>(
    'SELECT p.id::text AS id FROM ticket_parts p WHERE p.workspace_id = $1 AND p.ticket_id = $2 ORDER BY p.id',
    [workspaceId, IDS.ticket],
  );
  return rows.map((r) => r.id);
}

describe('PUT /tickets/:id — bodies match the 2.9 OpenAPI schemas', () => {
  const validators = loadValidators(SPEC);
  const ctx = useSeededApp(seedWorkspace);

  async function validTicket(body: unknown) {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body).expect(200);
    expect(problems(validators.ticket, res.body)).toEqual([]);
    return res.body as { ticket_parts: { ticket_parts: Part[]; total_count: number } } & Record<
      string,
      unknown
    >;
  }

  const lastPart = (body: { ticket_parts: { ticket_parts: Part[] } }): Part =>
    body.ticket_parts.ticket_parts.at(-1)!;

  describe('200 bodies', () => {
    it('a full update (attribute, state and assignment parts) validates, and the database agrees', async () => {
      const body = await validTicket({
        ticket_attributes: { Priority: 'Low' },
        state: 'waiting_on_customer',
        assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
      });

      const parts = body.ticket_parts.ticket_parts;
      expect(parts.map((p) => p.part_type)).toEqual([
        'comment',
        'ticket_attribute_updated_by_admin',
        'ticket_state_updated_by_admin',
        'assignment',
      ]);
      expect(body).toMatchObject({
        ticket_state: 'waiting_on_customer',
        ticket_state_internal_label: 'Waiting on customer',
        ticket_state_external_label: 'Waiting on you',
        admin_assignee_id: IDS.otherAdmin,
        team_assignee_id: '0',
      });
      expect(lastPart(body).assigned_to).toEqual({ type: 'admin', id: IDS.otherAdmin });

      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row).toMatchObject({
        state: body.ticket_state,
        admin_assignee_id: IDS.otherAdmin,
        team_assignee_id: null,
      });
      expect(row.attributes).toEqual(body.ticket_attributes);
      expect(await storedPartIds(ctx.t, ctx.ws.workspaceId)).toEqual(parts.map((p) => p.id));
    });

    it('a no-op update validates and shows the ticket unchanged', async () => {
      const body = await validTicket({});

      expect(body.ticket_parts.ticket_parts.map((p) => p.part_type)).toEqual(['comment']);
      expect(body.ticket_parts.total_count).toBe(1);
      expect(await storedPartIds(ctx.t, ctx.ws.workspaceId)).toEqual(
        body.ticket_parts.ticket_parts.map((p) => p.id),
      );
    });

    it('an unassign validates, with assigned_to {type: "nobody_admin", id: null}', async () => {
      await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
        assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
      }).expect(200);

      const body = await validTicket({ assignment: { admin_id: IDS.admin, assignee_id: '0' } });

      expect(body).toMatchObject({ admin_assignee_id: '0', team_assignee_id: '0' });
      expect(lastPart(body)).toMatchObject({
        part_type: 'assignment',
        assigned_to: { type: 'nobody_admin', id: null },
      });
      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row).toMatchObject({ admin_assignee_id: null, team_assignee_id: null });
    });

    it('a team assignment validates, with assigned_to {type: "team", id}', async () => {
      const body = await validTicket({ assignment: { admin_id: IDS.admin, assignee_id: IDS.team } });

      expect(body).toMatchObject({ admin_assignee_id: '0', team_assignee_id: IDS.team });
      expect(lastPart(body)).toMatchObject({
        part_type: 'assignment',
        assigned_to: { type: 'team', id: IDS.team },
      });
      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row).toMatchObject({ admin_assignee_id: null, team_assignee_id: IDS.team });
    });
  });

  describe('the reference page wins over the recorded example (BEHAVIOUR.md §1)', () => {
    type TypeAttribute = { name: string; order: number; archived: boolean };

    it('the recorded example (list shapes of the example) fails the strict schema, so the check can fail', () => {
      const json = SPEC.paths['/tickets/{id}'].put.responses['200'].content['application/json'];
      const example = (json.examples as Record<string, { value: unknown }>)['Successful response'].value;

      const found = problems(validators.ticket, example);

      expect(found).toContain(
        "/ticket_type/ticket_type_attributes must have required property 'ticket_type_attributes'",
      );
      expect(found).toContain("/contacts/contacts/0 must have required property 'type'");
    });

    it('uses the reference-page list shapes, string ids, integer timestamps and ordered attributes', async () => {
      const body = await validTicket({
        state: 'in_progress',
        assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
      });

      const ticketType = body.ticket_type as { ticket_type_attributes: Record<string, unknown> };
      expect(ticketType.ticket_type_attributes.type).toBe('ticket_type_attributes.list');
      expect(ticketType.ticket_type_attributes).not.toHaveProperty('data');
      const attributes = ticketType.ticket_type_attributes.ticket_type_attributes as TypeAttribute[];
      expect(Array.isArray(attributes)).toBe(true);
      expect(attributes.map((a) => [a.name, a.order, a.archived])).toEqual([
        ['_default_title_', 0, false],
        ['_default_description_', 1, false],
        ['Priority', 2, false],
        ['Affected users', 3, false],
        ['Amount', 4, false],
        ['Reproducible', 5, false],
        ['Seen at', 6, false],
        ['Screenshots', 7, false],
        ['Legacy code', 8, true],
      ]);

      expect(body.contacts).toEqual({
        type: 'contact.list',
        contacts: [{ type: 'contact', id: IDS.contact, external_id: 'u-1' }],
      });

      // ticket_type_id is the one integer id of the schema; external_id may be null.
      const ids = collect(
        body,
        (key) => /(^|_)id$/.test(key) && key !== 'ticket_type_id' && key !== 'external_id',
      );
      expect(ids.length).toBeGreaterThan(20);
      expect(ids.filter(([, value]) => typeof value !== 'string')).toEqual([]);
      const stamps = collect(body, (key) => key === 'created_at' || key === 'updated_at');
      expect(stamps.length).toBeGreaterThan(20);
      // Integer unix seconds, not milliseconds or ISO strings.
      expect(
        stamps.filter(([, v]) => !Number.isInteger(v) || (v as number) < 1e9 || (v as number) >= 1e10),
      ).toEqual([]);
    });
  });

  describe('error bodies', () => {
    async function validError(res: { body: unknown; headers: Record<string, string> }) {
      expect(problems(validators.error, res.body)).toEqual([]);
      const body = res.body as { request_id: string; errors: unknown[] };
      expect(body.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(res.headers['x-request-id']).toBe(body.request_id);
      return body;
    }

    it('401 validates against the error schema', async () => {
      const res = await putTicket(ctx.t.http, 'tok_not_a_real_token', IDS.ticket, {}).expect(401);
      const body = await validError(res);
      expect(body.errors).toEqual([{ code: 'unauthorized', message: 'Access Token Invalid' }]);
    });

    it('404 validates against the error schema', async () => {
      const res = await putTicket(ctx.t.http, ctx.ws.token, '999999999', {}).expect(404);
      const body = await validError(res);
      expect(body.errors).toEqual([{ code: 'ticket_not_found', message: 'Ticket not found', field: 'id' }]);
    });
  });
});
