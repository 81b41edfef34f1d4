import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { IntercomClient } from 'intercom-client';
import type { Response } from 'supertest';
import { RATE_LIMIT_KEY_PREFIX } from '../src/rate-limit/rate-limit.service';
import { IDS, seedWorkspace, ticketRow, ticketState, type SeededWorkspace } from './support/factories';
import { putTicket, startApp, type TestApp, useSeededApp } from './support/app';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Asserts the three X-RateLimit-* headers (BEHAVIOUR.md §5), the reset within the next 10-second window. */
function expectRateLimitHeaders(res: Response, limit: number, remaining: number): void {
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
  expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 10);
}

function expectNoRateLimitHeaders(res: Response): void {
  expect(Object.keys(res.headers).filter((name) => name.startsWith('x-ratelimit-'))).toEqual([]);
  expect(res.headers['retry-after']).toBeUndefined();
}

/** The 429 of BEHAVIOUR.md §4, with Retry-After in whole seconds no longer than the window. */
function expectRateLimited(res: Response, limit: number): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({
    type: 'error.list',
    request_id: res.headers['x-request-id'],
    errors: [{ code: 'rate_limit_exceeded', message: `Exceeded rate limit of ${limit} in 10_seconds` }],
  });
  expectRateLimitHeaders(res, limit, 0);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(10);
}

describe('rate limits, in memory', () => {
  const ctx = useSeededApp(seedWorkspace, { env: { RATE_LIMIT_PER_10S: '3' } });

  it('allows the limit, then answers 429 with Retry-After and writes nothing', async () => {
    for (const remaining of [2, 1, 0]) {
      const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
      expectRateLimitHeaders(res, 3, remaining);
    }
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);

    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' });

    expectRateLimited(res, 3);
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('counts each workspace separately', async () => {
    const other = await seedWorkspace();
    for (let i = 0; i < 3; i++) await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    expectRateLimited(await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}), 3);

    const res = await putTicket(ctx.t.http, other.token, IDS.ticket, { state: 'in_progress' }).expect(200);

    expectRateLimitHeaders(res, 3, 2);
    expect((await ticketRow(ctx.t.db, other.workspaceId, IDS.ticket)).state).toBe('in_progress');
  });

  it('puts the headers on a 404 and a bad-version 400 too, and counts them', async () => {
    const notFound = await putTicket(ctx.t.http, ctx.ws.token, '999999', { state: 'resolved' }).expect(404);
    expect(notFound.body.errors).toMatchObject([{ code: 'ticket_not_found', message: 'Ticket not found' }]);
    expectRateLimitHeaders(notFound, 3, 2);

    const badVersion = await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      {},
      { 'Intercom-Version': '9.9' },
    ).expect(400);
    expect(badVersion.body.errors[0].code).toBe('intercom_version_invalid');
    expectRateLimitHeaders(badVersion, 3, 1);

    expectRateLimitHeaders(await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200), 3, 0);
    // Over the limit the 429 comes first: the limit is checked before the version (BEHAVIOUR.md §4 order).
    expectRateLimited(
      await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}, { 'Intercom-Version': '9.9' }),
      3,
    );
  });

  it('gives a 401 no headers and does not count it', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await putTicket(ctx.t.http, 'tok_not_a_token', IDS.ticket, {}).expect(401);
      expectNoRateLimitHeaders(res);
    }
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    expectRateLimitHeaders(res, 3, 2);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
  });
});

describe('rate limits, shared through Redis', () => {
  let redis: Redis;
  let a: TestApp;
  let b: TestApp;
  let ws: SeededWorkspace;

  beforeAll(async () => {
    // CI machines run Redis: without it these tests are meant to fail, not to be skipped.
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    a = await startApp({ RATE_LIMIT_PER_10S: '3', REDIS_URL });
    b = await startApp({ RATE_LIMIT_PER_10S: '3', REDIS_URL });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    ws = await seedWorkspace();
  });

  it('two instances share one counter per workspace, under the service key prefix', async () => {
    expectRateLimitHeaders(await putTicket(a.http, ws.token, IDS.ticket, {}).expect(200), 3, 2);
    expectRateLimitHeaders(await putTicket(a.http, ws.token, IDS.ticket, {}).expect(200), 3, 1);
    expectRateLimitHeaders(await putTicket(b.http, ws.token, IDS.ticket, {}).expect(200), 3, 0);
    const before = await ticketState(a.db, ws.workspaceId, IDS.ticket);

    expectRateLimited(await putTicket(a.http, ws.token, IDS.ticket, { state: 'resolved' }), 3);
    expectRateLimited(await putTicket(b.http, ws.token, IDS.ticket, { state: 'resolved' }), 3);

    expect(await ticketState(a.db, ws.workspaceId, IDS.ticket)).toEqual(before);
    const key = `${RATE_LIMIT_KEY_PREFIX}:${ws.workspaceId}`;
    expect(await redis.get(key)).toBe('5');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('another workspace on the same Redis has its own counter', async () => {
    const other = await seedWorkspace();
    for (const app of [a, a, b]) await putTicket(app.http, ws.token, IDS.ticket, {}).expect(200);
    expectRateLimited(await putTicket(b.http, ws.token, IDS.ticket, {}), 3);

    const res = await putTicket(b.http, other.token, IDS.ticket, { state: 'in_progress' }).expect(200);

    expectRateLimitHeaders(res, 3, 2);
    expect((await ticketRow(b.db, other.workspaceId, IDS.ticket)).state).toBe('in_progress');
  });
});

describe('rate limits when Redis is unreachable', () => {
  /** A port that was free a moment ago, so nothing answers there. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  const ctx = useSeededApp(seedWorkspace, {
    env: async () => ({ RATE_LIMIT_PER_10S: '3', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }),
  });

  it('keeps serving and still limits, counting in this instance', async () => {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    expectRateLimitHeaders(res, 3, 2);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
    for (const remaining of [1, 0]) {
      expectRateLimitHeaders(
        await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200),
        3,
        remaining,
      );
    }
    expectRateLimited(await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }), 3);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
  });
});

describe('rate limits and the official SDK v7', () => {
  const ctx = useSeededApp(seedWorkspace, { env: { RATE_LIMIT_PER_10S: '2' }, listen: true });

  it('backs off on the 429 and succeeds once the window resets', async () => {
    const statuses: number[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    // Default retries (2): the SDK waits for Retry-After / X-RateLimit-Reset before trying again.
    const client = new IntercomClient({
      token: ctx.ws.token,
      baseUrl: ctx.baseUrl,
      version: '2.9',
      fetch: recordingFetch,
    });
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);

    const ticket = (await client.tickets.update({
      ticket_id: IDS.ticket,
      state: 'resolved',
    } as never)) as unknown as Record<string, unknown>;

    expect(statuses).toEqual([429, 200]);
    expect(ticket).toMatchObject({ id: IDS.ticket, ticket_state: 'resolved' });
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('resolved');
  }, 30_000);
});
