import { generateToken } from '../src/auth/token-hash';
import { putTicket, useSeededApp, within } from './support/app';
import { IDS, seedWorkspace, ticketRow } from './support/factories';
import { sleep } from './support/server-process';

/*
 * Issue #9 point 9: failed authentications are limited per client address (the TCP peer; here every
 * request comes from 127.0.0.1). After LIMIT failures in a window, tokens that would need a lookup get 429
 * with Retry-After until the window ends; a token already cached as valid keeps working.
 */

const LIMIT = 5;
const WINDOW_MS = 2_000;

describe('failed-auth limit per client address (AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS)', () => {
  const ctx = useSeededApp(seedWorkspace, {
    env: {
      AUTH_FAILURE_LIMIT: String(LIMIT),
      AUTH_FAILURE_WINDOW_MS: String(WINDOW_MS),
      // Long enough that the cached token below stays cached through the window.
      AUTH_CACHE_TTL_MS: '10000',
    },
  });

  /** Waits until the address's window (started by the first failure of a test) is over. */
  afterEach(() => sleep(WINDOW_MS + 100));

  const unauthorized = (requestId: string) => ({
    type: 'error.list',
    request_id: requestId,
    errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }],
  });

  it('answers 429 with Retry-After after LIMIT failures, refuses uncached tokens, and recovers', async () => {
    const { t, ws } = ctx;
    // A second valid token of the workspace, inserted without NOTIFY so that the first stays cached.
    const other = generateToken();
    await t.db.query(
      `INSERT INTO access_tokens (workspace_id, name, token_hash) VALUES ($1, 'other', sha256(convert_to($2, 'UTF8')))`,
      [ws.workspaceId, other],
    );
    // The seeding's own notifications (import, token create) empty the cache when they arrive: let them.
    await sleep(500);
    // A token in use before the flood: its principal is cached.
    const cached = await putTicket(t.http, ws.token, IDS.ticket, {}).expect(200);
    expect(cached.body.id).toBe(IDS.ticket);
    const before = await ticketRow(t.db, ws.workspaceId, IDS.ticket);

    for (let i = 0; i < LIMIT; i++) {
      const res = await putTicket(t.http, generateToken(), IDS.ticket, { state: 'resolved' }).expect(401);
      expect(res.body).toEqual(unauthorized(res.headers['x-request-id']));
    }
    const limited = await putTicket(t.http, generateToken(), IDS.ticket, { state: 'resolved' }).expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(limited.body).toEqual({
      type: 'error.list',
      request_id: limited.headers['x-request-id'],
      errors: [
        {
          code: 'rate_limit_exceeded',
          message: `Too many failed authentications from this address (${LIMIT} in 2 seconds); retry after ${retryAfter} seconds`,
        },
      ],
    });

    // A valid token that needs a lookup waits for the window too: 429, and its update is not applied.
    const refused = await putTicket(t.http, other, IDS.ticket, { state: 'resolved' }).expect(429);
    expect(refused.body.errors[0].code).toBe('rate_limit_exceeded');
    expect(await ticketRow(t.db, ws.workspaceId, IDS.ticket)).toEqual(before);

    // The cached token still works, and writes.
    const served = await putTicket(t.http, ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    expect(served.body.ticket_state).toBe('in_progress');
    expect((await ticketRow(t.db, ws.workspaceId, IDS.ticket)).state).toBe('in_progress');

    // After the window: bad tokens are 401 again (with §4's body), the valid one is served.
    const elapsed = await within(WINDOW_MS + 2_000, async () => {
      const res = await putTicket(t.http, other, IDS.ticket, { state: 'resolved' });
      return res.status === 200;
    });
    expect(elapsed).toBeLessThanOrEqual(WINDOW_MS + 2_000);
    expect((await ticketRow(t.db, ws.workspaceId, IDS.ticket)).state).toBe('resolved');
    const again = await putTicket(t.http, generateToken(), IDS.ticket, {}).expect(401);
    expect(again.body).toEqual(unauthorized(again.headers['x-request-id']));
  });

  it('counts a repeated bad token (answered from the negative cache) as a failure too', async () => {
    const { t, ws } = ctx;
    const before = await ticketRow(t.db, ws.workspaceId, IDS.ticket);
    const bad = generateToken();
    for (let i = 0; i < LIMIT; i++) await putTicket(t.http, bad, IDS.ticket, {}).expect(401);
    const res = await putTicket(t.http, bad, IDS.ticket, {}).expect(429);
    expect(res.headers['retry-after']).toMatch(/^[12]$/);
    expect(await ticketRow(t.db, ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('a request without a token is 401 and is not counted (it costs no lookup)', async () => {
    const { t, ws } = ctx;
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await putTicket(t.http, '', IDS.ticket, {}).set('Authorization', 'Bearer').expect(401);
      expect(res.body).toEqual(unauthorized(res.headers['x-request-id']));
    }
    // Under the limit still: a valid token is looked up and served.
    await putTicket(t.http, ws.token, IDS.ticket, { is_shared: false }).expect(200);
    expect((await ticketRow(t.db, ws.workspaceId, IDS.ticket)).is_shared).toBe(false);
  });
});

describe('failed-auth limit off (AUTH_FAILURE_LIMIT=0)', () => {
  const ctx = useSeededApp(seedWorkspace, { env: { AUTH_FAILURE_LIMIT: '0' } });

  it('every bad token is a 401, however many', async () => {
    const { t, ws } = ctx;
    for (let i = 0; i < 20; i++) await putTicket(t.http, generateToken(), IDS.ticket, {}).expect(401);
    await putTicket(t.http, ws.token, IDS.ticket, { is_shared: false }).expect(200);
    expect((await ticketRow(t.db, ws.workspaceId, IDS.ticket)).is_shared).toBe(false);
  });
});
