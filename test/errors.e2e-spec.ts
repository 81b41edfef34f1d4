import request, { type Response } from 'supertest';
import { TokensService } from '../src/auth/tokens.service';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import type { Snapshot } from '../src/import/snapshot.types';
import { putTicket, testDatabaseUrl, useSeededApp, within } from './support/app';
import {
  IDS,
  partRows,
  seedWorkspace,
  standardSnapshot,
  ticketRow,
  ticketState,
  type SeededWorkspace,
} from './support/factories';

/** BEHAVIOUR.md §4: every error this service can produce today, its body, and that nothing was written. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ALL_TICKETS = [IDS.ticket, IDS.ticketB, IDS.wideTicket] as const;
// Intercom's words, then what this service adds (issue #10: an unknown version lists the supported ones).
const NOT_FOUND_VERSION =
  'The requested version could not be found. Supported versions: 1.0–2.16, Preview, Unstable';
const NOT_AVAILABLE_VERSION = 'Requested resource is not available in current API version.';

/** One entry of `errors`; `message` may be an asymmetric matcher where the spec only says "says what". */
type ExpectedError = { code: string; message: unknown; field?: string };
/** Which tickets of which workspace a rejected request must leave exactly as they were. */
type Watch = { workspaceId: string; ids?: readonly string[] };
type Send = () => PromiseLike<Response>;

const UNAUTHORIZED: ExpectedError = { code: 'unauthorized', message: 'Access Token Invalid' };
const TICKET_NOT_FOUND: ExpectedError = {
  code: 'ticket_not_found',
  message: 'Ticket not found',
  field: 'id',
};
/**
 * Intercom's "Assignee not found", then which id is missing: the performing admin is checked first; `field` names
 * the field sent (BEHAVIOUR.md §6).
 */
const performerNotFound = (adminId: string): ExpectedError => ({
  code: 'assignee_not_found',
  message: `Assignee not found: no admin "${adminId}" in this workspace`,
  field: 'assignment.admin_id',
});
const assigneeNotFound = (assigneeId: string): ExpectedError => ({
  code: 'assignee_not_found',
  message: `Assignee not found: no admin or team "${assigneeId}" in this workspace`,
  field: 'assignment.assignee_id',
});
const ROUTE_NOT_FOUND: ExpectedError = { code: 'not_found', message: 'Resource Not Found' };
const versionError = (message: string): ExpectedError => ({
  code: 'intercom_version_invalid',
  message,
  field: 'Intercom-Version',
});
const invalid = (field: string, message: unknown): ExpectedError => ({
  code: 'parameter_invalid',
  message,
  field,
});

const ctx = useSeededApp(seedWorkspace, { seed: 'once' });

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const basic = (token: string) => ({ Authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` });

/** A request with exactly these headers and nothing implied: for what putTicket cannot express. */
function send(
  method: 'get' | 'put' | 'post',
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
) {
  const req = request(ctx.t.http)[method](path).set('Accept', '*/*');
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  if (body === undefined) return req;
  // superagent would JSON-serialize a Buffer sent as application/json; send its bytes as they are.
  if (Buffer.isBuffer(body)) req.serialize((bytes: Buffer) => bytes as unknown as string);
  return req.send(body);
}

function expectNoInternals(res: Response): void {
  expect(res.status).toBeLessThan(500);
  for (const leak of ['QueryFailedError', 'SQL', 'stack']) expect(res.text).not.toContain(leak);
}

/** The error.list shape of §4, with the body's request_id equal to the X-Request-Id header. */
function expectErrorList(res: Response, status: number, error: ExpectedError): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: { type: 'error.list', request_id: expect.stringMatching(UUID), errors: [error] },
  });
  expect(res.headers['x-request-id']).toBe((res.body as { request_id: string }).request_id);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expectNoInternals(res);
}

function stored(watch: readonly Watch[]) {
  return Promise.all(
    watch.flatMap(({ workspaceId, ids = ALL_TICKETS }) =>
      ids.map((id) => ticketState(ctx.t.db, workspaceId, id)),
    ),
  );
}

/** Sends, checks the error body, and checks that the watched tickets (all of `ws` by default) are untouched. */
async function expectRejected(
  call: Send,
  status: number,
  error: ExpectedError,
  watch: readonly Watch[] = [{ workspaceId: ctx.ws.workspaceId }],
): Promise<Response> {
  const before = await stored(watch);
  const res = await call();
  expectErrorList(res, status, error);
  expect(await stored(watch)).toEqual(before);
  return res;
}

/** A 200 for a no-op request: the ticket comes back and nothing is stored differently. */
async function expectUnchangedOk(call: Send, version = '2.9'): Promise<Response> {
  const before = await stored([{ workspaceId: ctx.ws.workspaceId }]);
  const res = await call();
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ type: 'ticket', id: IDS.ticket });
  // 2.12 on show the state as an object (BEHAVIOUR.md §6).
  const state = res.body.ticket_state as string | { category: string };
  expect(typeof state === 'string' ? state : state.category).toBe('submitted');
  expect(res.headers['intercom-version']).toBe(version);
  expectNoInternals(res);
  expect(await stored([{ workspaceId: ctx.ws.workspaceId }])).toEqual(before);
  return res;
}

describe('401 unauthorized', () => {
  const path = `/tickets/${IDS.ticket}`;
  const version = { 'Intercom-Version': '2.9' };
  const json = { ...version, 'Content-Type': 'application/json' };

  it.each<[string, () => Record<string, string>]>([
    ['no Authorization header', () => version],
    ['Bearer with an empty token', () => ({ ...version, Authorization: 'Bearer ' })],
    ['Bearer with two words', () => ({ ...version, Authorization: `Bearer ${ctx.ws.token} extra` })],
    ['a valid token under another scheme', () => ({ ...version, Authorization: `Token ${ctx.ws.token}` })],
    [
      'an unknown token',
      () => ({ ...version, ...bearer('tok_unknownunknownunknownunknownunknownunknown0') }),
    ],
    [
      'Basic with an empty user',
      () => ({ ...version, Authorization: `Basic ${Buffer.from(':x').toString('base64')}` }),
    ],
  ])('%s', async (_, headers) => {
    await expectRejected(() => send('put', path, headers()), 401, UNAUTHORIZED);
  });

  it('a token only in the query string', async () => {
    await expectRejected(
      () => send('put', `${path}?access_token=${ctx.ws.token}`, json, '{"state":"resolved"}'),
      401,
      UNAUTHORIZED,
    );
  });

  it('a token only in the JSON body', async () => {
    const body = JSON.stringify({ access_token: ctx.ws.token, state: 'resolved' });
    await expectRejected(() => send('put', path, json, body), 401, UNAUTHORIZED);
  });

  it('a revoked token, as soon as the revocation commits (the token cache hears it)', async () => {
    const dataSource = await createDataSource(testDatabaseUrl(), ENTITIES, 1).initialize();
    try {
      const tokens = new TokensService(dataSource);
      const token = await tokens.create(ctx.ws.workspaceId, 'to-revoke');
      await expectUnchangedOk(() => putTicket(ctx.t.http, token, IDS.ticket));
      expect(await tokens.revoke(token)).toBe(true);
      await within(1_000, async () => (await putTicket(ctx.t.http, token, IDS.ticket)).status === 401);
      await expectRejected(
        () => putTicket(ctx.t.http, token, IDS.ticket, { state: 'resolved' }),
        401,
        UNAUTHORIZED,
      );
    } finally {
      await dataSource.destroy();
    }
  });

  it('accepts the legacy Basic base64(token:) form', async () => {
    await expectUnchangedOk(() => send('put', path, { ...version, ...basic(ctx.ws.token) }));
  });
});

describe('Intercom-Version', () => {
  const path = `/tickets/${IDS.ticket}`;
  const withVersion = (value: string) => () =>
    send('put', path, { ...bearer(ctx.ws.token), 'Intercom-Version': value });

  it('absent: the workspace default 2.9, echoed', async () => {
    await expectUnchangedOk(() => send('put', path, bearer(ctx.ws.token)), '2.9');
  });

  it.each([
    ['2.9', '2.9'],
    ['2.10', '2.10'],
    ['2.14', '2.14'],
    ['2.16', '2.16'],
    ['Preview', 'Preview'],
    ['Unstable', 'Preview'],
  ])('%s → 200, echoed as %s', async (value, echoed) => {
    await expectUnchangedOk(withVersion(value), echoed);
  });

  it.each(['preview', 'unstable', '3.0', '2.17', '2.010', ''])(
    '%j → 400 version not found',
    async (value) => {
      await expectRejected(withVersion(value), 400, versionError(NOT_FOUND_VERSION));
    },
  );

  it.each(['2.8', '1.0'])('%s → 400 not available in this version', async (value) => {
    await expectRejected(withVersion(value), 400, versionError(NOT_AVAILABLE_VERSION));
  });

  describe('a workspace whose default version is 2.8', () => {
    let old: SeededWorkspace;
    beforeAll(async () => {
      old = await seedWorkspace();
      await ctx.t.db.query(`UPDATE workspaces SET default_intercom_version = '2.8' WHERE workspace_id = $1`, [
        old.workspaceId,
      ]);
    });

    it('without the header → 400 not available', async () => {
      await expectRejected(
        () => send('put', path, bearer(old.token), '{"state":"resolved"}'),
        400,
        versionError(NOT_AVAILABLE_VERSION),
        [{ workspaceId: old.workspaceId }],
      );
    });

    it('with Intercom-Version 2.9 → 200', async () => {
      const res = await putTicket(ctx.t.http, old.token, IDS.ticket);
      expect(res.status).toBe(200);
      expect(res.headers['intercom-version']).toBe('2.9');
      expect(res.body).toMatchObject({ type: 'ticket', id: IDS.ticket });
    });
  });
});

describe('404 ticket_not_found', () => {
  it.each(['1', '99999', 'abc', '12abc', '99999999999999999999999'])('id %s', async (id) => {
    await expectRejected(
      () => putTicket(ctx.t.http, ctx.ws.token, id, { state: 'resolved' }),
      404,
      TICKET_NOT_FOUND,
    );
  });

  it('a ticket of another workspace, which is left unchanged', async () => {
    const withoutTicket = await seedWorkspace((id) => {
      const snapshot = standardSnapshot(id);
      return { ...snapshot, tickets: snapshot.tickets!.filter((ticket) => ticket.id !== IDS.ticket) };
    });
    await expectRejected(
      () => putTicket(ctx.t.http, withoutTicket.token, IDS.ticket, { state: 'resolved' }),
      404,
      TICKET_NOT_FOUND,
      [{ workspaceId: ctx.ws.workspaceId }, { workspaceId: withoutTicket.workspaceId, ids: [IDS.ticketB] }],
    );
  });
});

describe('404 assignee_not_found', () => {
  const assign = (assignment: Record<string, unknown>) => () =>
    putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { assignment });

  it.each<[string, Record<string, unknown>, ExpectedError]>([
    ['unknown admin_id', { admin_id: '123456', assignee_id: IDS.otherAdmin }, performerNotFound('123456')],
    ['unknown assignee_id', { admin_id: IDS.admin, assignee_id: '123456' }, assigneeNotFound('123456')],
    ['non-numeric assignee_id', { admin_id: IDS.admin, assignee_id: 'abc' }, assigneeNotFound('abc')],
    ['non-numeric admin_id', { admin_id: 'abc', assignee_id: IDS.otherAdmin }, performerNotFound('abc')],
    ['an integer assignee_id', { admin_id: IDS.admin, assignee_id: 123456 }, assigneeNotFound('123456')],
    ['both unknown: the admin is named', { admin_id: '777', assignee_id: '888' }, performerNotFound('777')],
    ['the bot as assignee', { admin_id: IDS.admin, assignee_id: IDS.bot }, assigneeNotFound(IDS.bot)],
    [
      'a long id is clipped',
      { admin_id: IDS.admin, assignee_id: 'x'.repeat(300) },
      assigneeNotFound(`${'x'.repeat(64)}…`),
    ],
  ])('%s', async (_, assignment, expected) => {
    await expectRejected(assign(assignment), 404, expected);
  });

  it('an admin of another workspace', async () => {
    const other = await seedWorkspace((id): Snapshot => ({
      ...standardSnapshot(id),
      admins: [...standardSnapshot(id).admins!, { id: '555000', name: 'Zed' }],
    }));
    await expectRejected(
      assign({ admin_id: IDS.admin, assignee_id: '555000' }),
      404,
      assigneeNotFound('555000'),
      [{ workspaceId: ctx.ws.workspaceId }, { workspaceId: other.workspaceId }],
    );
    await expectRejected(
      assign({ admin_id: '555000', assignee_id: IDS.otherAdmin }),
      404,
      performerNotFound('555000'),
    );
  });
});

describe('order of checks: authentication, version, ticket, body', () => {
  const json = { 'Content-Type': 'application/json' };

  it('an invalid token with an invalid version → 401', async () => {
    const headers = { ...json, ...bearer('tok_nope'), 'Intercom-Version': 'nope' };
    await expectRejected(() => send('put', `/tickets/${IDS.ticket}`, headers, '{'), 401, UNAUTHORIZED);
  });

  it('an invalid version on an unknown ticket → 400 version', async () => {
    const headers = { ...json, ...bearer(ctx.ws.token), 'Intercom-Version': '3.0' };
    await expectRejected(
      () => send('put', '/tickets/999999', headers, '{}'),
      400,
      versionError(NOT_FOUND_VERSION),
    );
  });

  it('version 2.8 on an unknown ticket → 400 not available', async () => {
    const headers = { ...json, ...bearer(ctx.ws.token), 'Intercom-Version': '2.8' };
    await expectRejected(
      () => send('put', '/tickets/999999', headers, '{}'),
      400,
      versionError(NOT_AVAILABLE_VERSION),
    );
  });

  it('an unknown ticket with an invalid JSON body → 404', async () => {
    await expectRejected(
      () => putTicket(ctx.t.http, ctx.ws.token, '999999', '{not json'),
      404,
      TICKET_NOT_FOUND,
    );
  });
});

describe('400 parameter_invalid', () => {
  it.each<[string, unknown, ExpectedError]>([
    ['invalid JSON', '{"state": ', invalid('body', expect.stringMatching(/JSON/))],
    ['a top-level array', '["state"]', invalid('body', expect.stringMatching(/object/))],
    ['a top-level string', '"resolved"', invalid('body', expect.stringMatching(/object/))],
    [
      'state submitted',
      { state: 'submitted' },
      invalid('state', expect.stringMatching(/^state .*in_progress/)),
    ],
    ['state open', { state: 'open' }, invalid('state', expect.stringMatching(/^state /))],
    ['state as a number', { state: 3 }, invalid('state', expect.stringMatching(/^state /))],
    ['is_shared as a string', { is_shared: 'yes' }, invalid('is_shared', expect.stringMatching(/is_shared/))],
    [
      'ticket_attributes as an array',
      { ticket_attributes: [] },
      invalid('ticket_attributes', expect.stringMatching(/ticket_attributes/)),
    ],
    [
      'ticket_attributes as a string',
      { ticket_attributes: 'x' },
      invalid('ticket_attributes', expect.stringMatching(/ticket_attributes/)),
    ],
    [
      'assignment as a string',
      { assignment: 'x' },
      invalid('assignment', expect.stringMatching(/assignment/)),
    ],
    [
      'assignment without admin_id',
      { assignment: { assignee_id: IDS.otherAdmin } },
      invalid('assignment.admin_id', expect.stringMatching(/admin_id/)),
    ],
    [
      'assignment without assignee_id',
      { assignment: { admin_id: IDS.admin } },
      invalid('assignment.assignee_id', expect.stringMatching(/assignee_id/)),
    ],
    [
      'assignee_id as a boolean',
      { assignment: { admin_id: IDS.admin, assignee_id: true } },
      invalid('assignment.assignee_id', expect.stringMatching(/assignee_id/)),
    ],
    [
      'a negative admin_id',
      { assignment: { admin_id: -1, assignee_id: IDS.otherAdmin } },
      invalid('assignment.admin_id', expect.stringMatching(/admin_id/)),
    ],
    [
      'two unknown attribute names',
      { ticket_attributes: { Colour: 'red', _default_title_: 'ok', Size: 3 } },
      invalid(
        'ticket_attributes',
        'Extra attributes provided that are not found on ticket type: Colour, Size',
      ),
    ],
    [
      'a bad attribute value',
      { ticket_attributes: { 'Affected users': 'many' } },
      invalid('ticket_attributes.Affected users', expect.stringMatching(/Affected users/)),
    ],
  ])('%s', async (_, body, error) => {
    await expectRejected(() => putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body), 400, error);
  });

  it('invalid UTF-8 bytes', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    const headers = {
      ...bearer(ctx.ws.token),
      'Intercom-Version': '2.9',
      'Content-Type': 'application/json',
    };
    await expectRejected(
      () => send('put', `/tickets/${IDS.ticket}`, headers, bytes),
      400,
      invalid('body', expect.stringMatching(/UTF-8/)),
    );
  });
});

describe('413 and 415', () => {
  const path = `/tickets/${IDS.ticket}`;
  const big = `{"x":"${'a'.repeat(1_100_000)}"}`;
  const tooLarge: ExpectedError = {
    code: 'request_entity_too_large',
    message: expect.stringMatching(/too large/i),
  };
  const notJson: ExpectedError = {
    code: 'unsupported_media_type',
    message: expect.stringMatching(/application\/json/),
  };

  it('a body over 1 MiB → 413', async () => {
    const headers = {
      ...bearer(ctx.ws.token),
      'Intercom-Version': '2.9',
      'Content-Type': 'application/json',
    };
    await expectRejected(() => send('put', path, headers, big), 413, tooLarge);
  });

  it('a body over 1 MiB is refused before authentication', async () => {
    await expectRejected(() => send('put', path, { 'Content-Type': 'application/json' }, big), 413, tooLarge);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'Content-Type %s with a body → 415',
    async (type) => {
      const headers = { ...bearer(ctx.ws.token), 'Intercom-Version': '2.9', 'Content-Type': type };
      await expectRejected(() => send('put', path, headers, 'state=resolved'), 415, notJson);
    },
  );

  it('Content-Type text/plain with an empty body is an empty update → 200', async () => {
    const headers = { ...bearer(ctx.ws.token), 'Intercom-Version': '2.9', 'Content-Type': 'text/plain' };
    await expectUnchangedOk(() => send('put', path, headers, ''));
  });
});

describe("unknown top-level fields are ignored; later versions' fields mean the same at 2.9", () => {
  it('changes only the state when the other fields are unknown', async () => {
    const fresh = await seedWorkspace();
    const before = await ticketState(ctx.t.db, fresh.workspaceId, IDS.ticket);
    const res = await putTicket(ctx.t.http, fresh.token, IDS.ticket, {
      state: 'resolved',
      linked_objects: { type: 'list', data: [] },
      app_package_code: 'x',
      ticket_id: '1',
      category: 'Tracker',
      unknown: { nested: [1, 2] },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ticket_state: 'resolved', is_shared: true });
    const row = await ticketRow(ctx.t.db, fresh.workspaceId, IDS.ticket);
    expect({
      ...row,
      updated_at: undefined,
      ticket_state_id: undefined,
      previous_ticket_state_id: undefined,
    }).toEqual({
      ...before.ticket,
      state: 'resolved',
      updated_at: undefined,
      ticket_state_id: undefined,
      previous_ticket_state_id: undefined,
    });
    expect(row.updated_at.getTime()).toBeGreaterThan(before.ticket.updated_at.getTime());
    expect(row.previous_ticket_state_id).toBe(before.ticket.ticket_state_id);
    const parts = await partRows(ctx.t.db, fresh.workspaceId, IDS.ticket);
    expect(parts.slice(0, before.parts.length)).toEqual(before.parts);
    expect(parts.slice(before.parts.length)).toEqual([
      expect.objectContaining({
        part_type: 'ticket_state_updated_by_admin',
        author_id: IDS.bot,
        ticket_state: 'resolved',
        previous_ticket_state: 'submitted',
      }),
    ]);
  });

  it('applies open, admin_id and assignee_id sent at 2.9 (BEHAVIOUR.md §2, §6)', async () => {
    const fresh = await seedWorkspace();
    const res = await putTicket(ctx.t.http, fresh.token, IDS.ticket, {
      open: false,
      admin_id: IDS.admin,
      assignee_id: IDS.otherAdmin,
    }).expect(200);
    expect(res.body).toMatchObject({ admin_assignee_id: IDS.otherAdmin });
    expect(res.body).not.toHaveProperty('open');
    expect(await ticketRow(ctx.t.db, fresh.workspaceId, IDS.ticket)).toMatchObject({
      open: false,
      admin_assignee_id: IDS.otherAdmin,
    });
    const parts = await partRows(ctx.t.db, fresh.workspaceId, IDS.ticket);
    expect(parts.slice(-2).map((p) => [p.part_type, p.author_id])).toEqual([
      ['assignment', IDS.admin],
      ['close', IDS.admin],
    ]);
  });
});

describe('unknown route or method → 404 not_found', () => {
  it.each<['get' | 'post', string]>([
    ['get', '/nope'],
    ['post', `/tickets/${IDS.ticket}`],
    ['get', `/tickets/${IDS.ticket}/parts`],
  ])('%s %s', async (method, path) => {
    const headers = {
      ...bearer(ctx.ws.token),
      'Intercom-Version': '2.9',
      'Content-Type': 'application/json',
    };
    await expectRejected(() => send(method, path, headers, '{"state":"resolved"}'), 404, ROUTE_NOT_FOUND);
  });
});
