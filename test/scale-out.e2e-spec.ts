import { Pool } from 'pg';
import { testDatabaseUrl, within } from './support/app';
import { auditRows, IDS, partRows, seedWorkspace, ticketRow, ticketVersion } from './support/factories';
import { findRedis, type TestRedis } from './support/redis';
import {
  freePort,
  runNode,
  spawnServer,
  waitUntilLive,
  type NodeResult,
  type ServerProcess,
} from './support/server-process';

/**
 * README "Deploy → Scaling out", proven: two compiled servers as real processes, as the README says to run
 * them — one PostgreSQL (the test database), one Redis. Each test seeds its own workspace, so the rate-limit
 * keys (`intercom-tickets:rate-limit:<workspace>`) never meet another test's on a shared Redis.
 */
const LIMIT = 40;

type Answer = { status: number; headers: Headers; body: Record<string, unknown> };

async function put(port: number, token: string, id: string, body: unknown = {}): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}/tickets/${id}`, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${token}`,
      'Intercom-Version': '2.9',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function runCli(...args: string[]): Promise<NodeResult> {
  return runNode('cli/main.js', args, { env: { DATABASE_URL: testDatabaseUrl() } });
}

describe('scale-out: two server processes on one PostgreSQL and one Redis', () => {
  let redis: TestRedis | null = null;
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  let db: Pool;

  beforeAll(async () => {
    const found = await findRedis();
    if (found.url === null) {
      // A fresh machine without Redis: nothing to prove the shared counter with. Say so, do not fail.
      console.log(`scale-out spec skipped: ${found.reason}`);
      return;
    }
    redis = found;
    db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      ports.push(port);
      servers.push(
        spawnServer({
          DATABASE_URL: testDatabaseUrl(),
          REDIS_URL: redis.url,
          PORT: String(port),
          RATE_LIMIT_PER_10S: String(LIMIT),
          DEMO_DATA: 'false',
          LOG_LEVEL: 'warn',
          LOG_FORMAT: 'json',
        }),
      );
    }
    await Promise.all(servers.map((server, i) => waitUntilLive(server, ports[i])));
  });

  afterAll(async () => {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exit(15_000).catch(() => server.kill());
    }
    await db?.end();
    await redis?.stop();
  });

  it('together they admit exactly the workspace limit per window', async () => {
    if (!redis) return;
    const ws = await seedWorkspace();
    const versionBefore = await ticketVersion(db, ws.workspaceId, IDS.ticket);

    // 70 requests alternating between the instances, 10 in flight at a time: about a second in all.
    const answers: Answer[] = [];
    for (let batch = 0; batch < 7; batch++) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => put(ports[i % 2], ws.token, IDS.ticket, {})),
        )),
      );
    }
    const finishedAt = Date.now();

    // All in one window: every reset names the same second (±1 for rounding) and it had not come yet.
    const resets = answers.map((answer) => Number(answer.headers.get('x-ratelimit-reset')));
    expect(Math.max(...resets) - Math.min(...resets)).toBeLessThanOrEqual(1);
    expect(finishedAt).toBeLessThan((Math.min(...resets) - 1) * 1000);

    const admitted = answers.filter((answer) => answer.status !== 429);
    expect(admitted).toHaveLength(LIMIT);
    expect(admitted.every((answer) => answer.status === 200)).toBe(true);
    // Both instances admitted some and refused some: the counter is shared, not split.
    for (const port of [0, 1]) {
      const mine = answers.filter((_, i) => i % 2 === port);
      expect(mine.some((answer) => answer.status === 200)).toBe(true);
      expect(mine.some((answer) => answer.status === 429)).toBe(true);
    }
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(70 - LIMIT);
    expect(refused[0].body).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'rate_limit_exceeded', message: `Exceeded rate limit of ${LIMIT} in 10_seconds` }],
    });
    // `{}` is a no-op, so the database shows nothing written by any of the 70 requests.
    expect(await ticketVersion(db, ws.workspaceId, IDS.ticket)).toBe(versionBefore);
    expect(await auditRows(db, ws.workspaceId, IDS.ticket)).toEqual([]);
  });

  it('a token revoked through the CLI is refused by both within a second', async () => {
    if (!redis) return;
    const ws = await seedWorkspace();
    // Both instances have the token in their cache (AUTH_CACHE_TTL_MS, 5 s by default) before the revoke.
    for (const port of ports) expect((await put(port, ws.token, IDS.ticket)).status).toBe(200);

    const revoked = await runCli('token', 'revoke', ws.token);
    expect(revoked).toEqual({ code: 0, stdout: '', stderr: 'token revoked\n' });
    const revokedAt = Date.now();

    const elapsed = await Promise.all(
      ports.map(async (port) => {
        await within(1_000, async () => (await put(port, ws.token, IDS.ticket)).status === 401);
        return Date.now() - revokedAt;
      }),
    );
    expect(Math.max(...elapsed)).toBeLessThan(1_000);
    for (const port of ports) {
      const res = await put(port, ws.token, IDS.ticket, { state: 'resolved' });
      expect(res.status).toBe(401);
      expect(res.body.errors).toEqual([{ code: 'unauthorized', message: 'Access Token Invalid' }]);
    }
    const { rows } = await db.query<{ revoked: boolean }>(
      'SELECT revoked_at IS NOT NULL AS revoked FROM access_tokens WHERE workspace_id = $1',
      [ws.workspaceId],
    );
    expect(rows).toEqual([{ revoked: true }]);
    expect((await ticketRow(db, ws.workspaceId, IDS.ticket)).state).not.toBe('resolved');
  });

  it('concurrent updates of one ticket through both lose nothing', async () => {
    if (!redis) return;
    const ws = await seedWorkspace();
    const versionBefore = await ticketVersion(db, ws.workspaceId, IDS.ticket);
    const partsBefore = (await partRows(db, ws.workspaceId, IDS.ticket)).length;
    const UPDATES = 36; // under the limit of 40, so none is refused for the rate

    const titles = Array.from({ length: UPDATES }, (_, i) => `title ${i}`);
    const answers = await Promise.all(
      titles.map((title, i) =>
        put(ports[i % 2], ws.token, IDS.ticket, { ticket_attributes: { _default_title_: title } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(titles.map(() => 200));

    // Every update committed once: the version rose by one per 200, one audit row each.
    const versionAfter = await ticketVersion(db, ws.workspaceId, IDS.ticket);
    expect(versionAfter - versionBefore).toBe(UPDATES);
    const audit = await auditRows(db, ws.workspaceId, IDS.ticket);
    expect(audit).toHaveLength(UPDATES);

    // In commit order, each update saw the one before it: versions chain without a gap, and each row's
    // `before` is the previous row's `after`. A lost update would break the chain.
    audit.forEach((row, i) => {
      expect(Number(row.version_before)).toBe(versionBefore + i);
      expect(Number(row.version_after)).toBe(versionBefore + i + 1);
      if (i > 0) {
        expect(row.changes['ticket_attributes._default_title_'].before).toBe(
          audit[i - 1].changes['ticket_attributes._default_title_'].after,
        );
      }
    });
    const written = audit.map((row) => row.changes['ticket_attributes._default_title_'].after);
    expect([...written].sort()).toEqual([...titles].sort());

    // The stored ticket holds the last committed value, and every update added its one part. (Parts'
    // created_at is each transaction's start, taken before it queued for the row lock, so it is not the
    // commit order; the audit chain above is.)
    const last = written[written.length - 1];
    expect((await ticketRow(db, ws.workspaceId, IDS.ticket)).attributes._default_title_).toBe(last);
    const newParts = (await partRows(db, ws.workspaceId, IDS.ticket)).slice(partsBefore);
    expect(newParts).toHaveLength(UPDATES);
    expect(newParts.every((part) => part.part_type === 'ticket_attribute_updated_by_admin')).toBe(true);
    // Each 200 answered with the version it committed: 36 distinct ETags, exactly the new versions.
    const etags = answers.map((answer) => answer.headers.get('etag'));
    const expected = Array.from({ length: UPDATES }, (_, i) => `"${IDS.ticket}.${versionBefore + i + 1}"`);
    expect([...etags].sort()).toEqual([...expected].sort());
  });
});
