import { execFile } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { testDatabaseUrl } from './support/app';
import { auditRows, IDS, seedWorkspace, ticketVersion, type SeededWorkspace } from './support/factories';
import { freePort, type ServerProcess, sleep, spawnServer, waitUntilLive } from './support/server-process';

const A_REQUESTS = 800;
const BURST = join(__dirname, 'support', 'http-burst.js');

type BurstAnswer = { status: number; retryAfter?: string | null; body?: string; error?: string };

/** test/support/http-burst.js in a child process: all `bodies` at once; resolves with every answer. */
function burst(input: {
  port: number;
  path: string;
  token: string;
  bodies: string[];
  timeoutMs: number;
}): Promise<BurstAnswer[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BURST, JSON.stringify(input)],
      { timeout: input.timeoutMs + 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) =>
        error ? reject(new Error(error.message)) : resolve(JSON.parse(stdout) as BurstAnswer[]),
    );
  });
}
const B_CLIENTS = 2;
// Issue #9's target. Measured p99 on this 2-core machine with only the suite running: 42 ms.
const B_P99_BOUND_MS = 250;

type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
};

/** One HTTP request with a hard client-side bound; rejects on a socket error or after `timeoutMs`. */
function send(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, agent, headers, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time (user + system, ms) the process has used so far, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Issue #9 point 2: one workspace hammering one ticket must not starve the others. 800 concurrent updates of
 * one ticket of A (within A's rate limit, raised here) used to each hold a pool connection while queued on
 * the row lock: B's updates took seconds, A got 503s from the pool's acquire timeout, /health/ready failed.
 * The compiled server runs as its own process, so the load generator's CPU is not the server's event loop.
 */
describe('one tenant hammering one ticket', () => {
  let server: ServerProcess | undefined;
  let db: Pool;
  let a: SeededWorkspace;
  let b: SeededWorkspace;

  beforeAll(async () => {
    db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
    a = await seedWorkspace();
    b = await seedWorkspace();
  });
  afterAll(async () => {
    server?.kill();
    await db.end();
  });

  it(`${A_REQUESTS} updates of one ticket of A: B stays fast, readiness stays 200, A gets 200 or a retryable 503, nothing lost`, async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'fatal',
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_10S: '1000000',
    });
    await waitUntilLive(server, port);
    const versionBefore = await ticketVersion(db, a.workspaceId, IDS.wideTicket);
    const auditBefore = (await auditRows(db, a.workspaceId, IDS.wideTicket)).length;
    const bVersionsBefore = await Promise.all(
      [IDS.ticket, IDS.ticketB].map((id) => ticketVersion(db, b.workspaceId, id)),
    );

    const headers = (token: string) => ({
      Authorization: `Bearer ${token}`,
      'Intercom-Version': '2.9',
      'Content-Type': 'application/json',
    });
    const aAgent = new Agent({ keepAlive: true, maxSockets: 2 });
    const bAgent = new Agent({ keepAlive: true, maxSockets: B_CLIENTS + 2 });
    const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Both tenants have been using their tokens (the token cache knows them), B its connections too.
      for (let i = 0; i < 5; i++) {
        const warm = await send(
          bAgent,
          port,
          'PUT',
          `/tickets/${IDS.ticket}`,
          headers(b.token),
          '{}',
          10_000,
        );
        expect(warm.status).toBe(200);
      }
      const warmA = await send(aAgent, port, 'PUT', `/tickets/${IDS.ticket}`, headers(a.token), '{}', 10_000);
      expect(warmA.status).toBe(200);

      // A: every request sets field_1 to a value of its own, so each 200 is one distinct committed version.
      // Sent from a process of its own: this one stays free to time B's requests.
      const aValues = Array.from({ length: A_REQUESTS }, (_, i) => `a-${i}`);
      let aDone = false;
      const cpuBefore = cpuMs(server.child.pid!);
      const aAnswers = burst({
        port,
        path: `/tickets/${IDS.wideTicket}`,
        token: a.token,
        bodies: aValues.map((value) => JSON.stringify({ ticket_attributes: { field_1: value } })),
        timeoutMs: 60_000,
      }).finally(() => (aDone = true));

      // B: two clients, one per ticket of B, back to back while A's burst lasts (3 s at least, 60 s at most).
      const bLatencies: number[] = [];
      const bStatuses: number[] = [];
      const started = Date.now();
      const busy = () => (!aDone || Date.now() - started < 3_000) && Date.now() - started < 60_000;
      const bClients = Array.from({ length: B_CLIENTS }, async (_, client) => {
        const id = client === 0 ? IDS.ticket : IDS.ticketB;
        for (let n = 0; busy(); n++) {
          const res = await send(
            bAgent,
            port,
            'PUT',
            `/tickets/${id}`,
            headers(b.token),
            JSON.stringify({ ticket_attributes: { _default_description_: `b-${client}-${n}` } }),
            30_000,
          );
          bStatuses.push(res.status);
          bLatencies.push(res.ms);
        }
      });

      // Readiness, probed every 200 ms like a load balancer would, and the pool's state from /metrics.
      const ready: number[] = [];
      const poolWaiting: number[] = [];
      const probes = (async () => {
        while (busy()) {
          const res = await send(probeAgent, port, 'GET', '/health/ready', {}, undefined, 10_000).catch(
            () => null,
          );
          ready.push(res?.status ?? 0);
          const metrics = await send(probeAgent, metricsPort, 'GET', '/metrics', {}, undefined, 10_000).catch(
            () => null,
          );
          const waiting = /^db_pool_waiting_requests (\d+)$/m.exec(metrics?.body ?? '');
          if (waiting) poolWaiting.push(Number(waiting[1]));
          await sleep(200);
        }
      })();

      const answers = await aAnswers;
      const burstCpuMs = cpuMs(server.child.pid!) - cpuBefore;
      await Promise.all([...bClients, probes]);

      expect(answers.filter((res) => res.status === 0).map((res) => res.error)).toEqual([]);
      const counts: Record<number, number> = {};
      for (const res of answers) counts[res.status] = (counts[res.status] ?? 0) + 1;
      const sorted = [...bLatencies].sort((x, y) => x - y);
      const report = {
        aStatuses: counts,
        b: {
          requests: sorted.length,
          p50: Math.round(percentile(sorted, 50)),
          p99: Math.round(percentile(sorted, 99)),
          max: Math.round(sorted.at(-1)!),
        },
        readyNot200: ready.filter((s) => s !== 200).length,
        poolWaitingMax: Math.max(...poolWaiting),
        readyProbes: ready.length,
        serverCpuMsDuringBurst: Math.round(burstCpuMs),
      };
      // The numbers for the README's "Reliability under faults and load" (printed, never a timed assertion).
      process.stdout.write(`fairness: ${JSON.stringify(report)}\n`);

      // A: 200, or a 503 that says when to retry; never a 500, never anything else.
      const wrong = answers.filter(
        (res) =>
          !(
            res.status === 200 ||
            (res.status === 503 &&
              res.retryAfter === '1' &&
              (JSON.parse(res.body!) as { errors: { code: string }[] }).errors[0].code ===
                'service_unavailable')
          ),
      );
      expect(wrong.map((res) => `${res.status} ${res.body}`)).toEqual([]);
      const okValues = answers.flatMap((res, i) => (res.status === 200 ? [aValues[i]] : []));
      expect(okValues.length).toBeGreaterThan(0);

      // B: every update served, and fast: p99 ≤ 250 ms, the target (starvation gave p99 5–7 s).
      expect(bStatuses.filter((s) => s !== 200)).toEqual([]);
      expect(sorted.length).toBeGreaterThanOrEqual(20);
      expect(report.b.p99).toBeLessThanOrEqual(B_P99_BOUND_MS);
      // The pool never ran out: nobody ever queued for a connection (starvation had hundreds waiting).
      expect(poolWaiting.length).toBeGreaterThan(0);
      expect(report.poolWaitingMax).toBe(0);
      // Readiness: a load balancer takes an instance out after consecutive failed probes; never two in a row
      // here (starvation failed 3 of 4). A single one can still happen when this 2-core machine is so loaded
      // that the event loop misses the check's 1.5 s timer while it accepts the burst (README).
      expect(ready.length).toBeGreaterThan(0);
      expect(ready.filter((s, i) => s !== 200 && i > 0 && ready[i - 1] !== 200)).toEqual([]);

      // No lost update: each 200 is exactly one committed version and one audit row with its value.
      const audit = (await auditRows(db, a.workspaceId, IDS.wideTicket)).slice(auditBefore);
      const written = audit.map(
        (row) => (row.changes['ticket_attributes.field_1'] as { after: string }).after,
      );
      expect([...written].sort()).toEqual([...okValues].sort());
      expect((await ticketVersion(db, a.workspaceId, IDS.wideTicket)) - versionBefore).toBe(okValues.length);
      const bVersionsAfter = await Promise.all(
        [IDS.ticket, IDS.ticketB].map((id) => ticketVersion(db, b.workspaceId, id)),
      );
      expect(bVersionsAfter.reduce((x, y) => x + y) - bVersionsBefore.reduce((x, y) => x + y)).toBe(
        bStatuses.length,
      );
    } finally {
      aAgent.destroy();
      bAgent.destroy();
      probeAgent.destroy();
    }
  }, 180_000);
});
