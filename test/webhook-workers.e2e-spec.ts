import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { testDatabaseUrl } from './support/app';
import { IDS, seedWorkspace, type SeededWorkspace } from './support/factories';
import { type ServerProcess, sleep, spawnServer } from './support/server-process';
import {
  deliveryRows,
  queueNotifications,
  type Received,
  type Receiver,
  settled,
  startReceiver,
  subscribe,
  verifySignatures,
} from './support/webhooks';

/**
 * The delivery worker as `npm run worker` runs it (the compiled worker-main.js, real processes): several on one
 * database, one killed mid-delivery, one stopped with SIGTERM. Each takes only this file's workspaces.
 */
const PREFIX = `whw${randomUUID().slice(0, 6)}_`;

function startWorker(env: Record<string, string> = {}): ServerProcess {
  return spawnServer(
    {
      DATABASE_URL: testDatabaseUrl(),
      LOG_FORMAT: 'json',
      WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
      WEBHOOK_RETRY_SCALE: '0.001',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      ...env,
    },
    'worker-main.js',
  );
}

/** The worker's /metrics address, from its start-up line. */
function metricsUrl(worker: ServerProcess): string {
  const match = /metrics on (http:\/\/[^ "]+\/metrics)/.exec(worker.stdout());
  if (!match) throw new Error(`no metrics line:\n${worker.stdout()}`);
  return match[1];
}

async function deliveredBy(worker: ServerProcess): Promise<number> {
  const text = await (await fetch(metricsUrl(worker))).text();
  return [...text.matchAll(/^webhook_deliveries_total\{[^}]*outcome="delivered"[^}]*\} (\d+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

describe('webhook workers (processes)', () => {
  let db: Pool;
  let dataSource: DataSource;
  let receiver: Receiver;
  let ws: SeededWorkspace;
  const workers: ServerProcess[] = [];

  beforeAll(async () => {
    db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
    dataSource = await createDataSource(testDatabaseUrl(), ENTITIES, 4).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.end();
  });
  beforeEach(async () => {
    ws = await seedWorkspace(undefined, undefined, `${PREFIX}${randomUUID().slice(0, 8)}`);
    receiver = await startReceiver();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) worker.kill();
    await receiver.close();
  });

  const started = async (env: Record<string, string> = {}) => {
    const worker = startWorker(env);
    workers.push(worker);
    await worker.waitForStdout('webhook worker started', 30_000);
    return worker;
  };

  it('two workers deliver each notification once, in commit order per subscription and ticket, through failures', async () => {
    const a = await subscribe(dataSource, ws.workspaceId, receiver.url, [
      'ticket.closed',
      'ticket.state.updated',
    ]);
    const b = await subscribe(dataSource, ws.workspaceId, receiver.url, ['ticket.closed'], '2.14');
    const secrets = new Map([
      [a.id, a.secret],
      [b.id, b.secret],
    ]);
    // Every third notification fails its first attempt, every seventh its first two (500, timeout-free).
    const order = new Map<string, number>();
    receiver.reply(async (got: Received) => {
      await sleep(Math.floor(Math.random() * 10));
      const n = order.get(got.body.id) ?? 0;
      const failures = n % 7 === 0 ? 2 : n % 3 === 0 ? 1 : 0;
      return got.body.delivery_attempts <= failures ? { status: 500 } : { status: 200 };
    });
    const first = await started({ WEBHOOK_CONCURRENCY: '4' });
    const second = await started({ WEBHOOK_CONCURRENCY: '4' });

    // 3 tickets × 10 updates × (2 topics of a + 1 of b) = 90 notifications on 6 chains, queued as updates commit.
    const chains = new Map<string, string[]>();
    for (let round = 0; round < 10; round++) {
      for (const ticket of [IDS.ticket, IDS.ticketB, IDS.wideTicket]) {
        const ids = await queueNotifications(dataSource, ws.workspaceId, ticket, [
          { subscriptionId: a.id, topic: 'ticket.state.updated' },
          { subscriptionId: b.id, topic: 'ticket.closed' },
          { subscriptionId: a.id, topic: 'ticket.closed' },
        ]);
        ids.forEach((id, i) => {
          order.set(id, order.size);
          const chain = `${i === 1 ? b.id : a.id}:${ticket}`;
          chains.set(chain, [...(chains.get(chain) ?? []), id]);
        });
      }
    }
    const rows = await settled(db, ws.workspaceId, 60_000);
    expect(rows).toHaveLength(90);
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);

    const received = receiver.received;
    // Each notification: its failing attempts, then one 2xx; no attempt made twice, none after the 2xx.
    const failuresOf = (id: string) => (order.get(id)! % 7 === 0 ? 2 : order.get(id)! % 3 === 0 ? 1 : 0);
    for (const row of rows) {
      const attempts = received
        .filter((got) => got.body.id === row.notification_id)
        .map((got) => got.body.delivery_attempts);
      const expected = Array.from({ length: failuresOf(row.notification_id) + 1 }, (_, i) => i + 1);
      expect(attempts).toEqual(expected);
      expect(row.attempts).toBe(expected.length);
    }
    // Per chain, every request (retries included) arrives in commit order: nothing overtakes its head.
    for (const ids of chains.values()) {
      const seen = received.filter((got) => ids.includes(got.body.id)).map((got) => ids.indexOf(got.body.id));
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(new Set(seen).size).toBe(ids.length);
    }
    for (const got of received.slice(0, 10)) {
      const subscriptionId = [...chains].find(([, ids]) => ids.includes(got.body.id))![0].split(':')[0];
      verifySignatures(got, secrets.get(subscriptionId)!);
    }
    // Both took part.
    const byFirst = await deliveredBy(first);
    const bySecond = await deliveredBy(second);
    expect(byFirst + bySecond).toBe(90);
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
  });

  it('a worker killed mid-delivery: another delivers the notification once its lease runs out, in order', async () => {
    const { id } = await subscribe(dataSource, ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply((_got, n) => (n === 0 ? 'hang' : { status: 200 }));
    const doomed = await started({ WEBHOOK_LEASE_MS: '10000' });
    const [first] = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const [second] = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await receiver.waitFor(1, 10_000);
    doomed.child.kill('SIGKILL');
    await doomed.exit(5_000);
    const [leased] = await deliveryRows(db, ws.workspaceId);
    expect(leased).toMatchObject({ notification_id: first, status: 'pending', attempts: 1 });
    expect(leased.leased_by).toMatch(new RegExp(`:${doomed.child.pid}:`));
    const leaseUntil = leased.lease_until!.getTime();

    await started({ WEBHOOK_LEASE_MS: '10000' });
    const got = await receiver.waitFor(3, 20_000);
    expect(got.map((r) => [r.body.id, r.body.delivery_attempts])).toEqual([
      [first, 1],
      [first, 2],
      [second, 1],
    ]);
    expect(got[1].at).toBeGreaterThanOrEqual(leaseUntil - 50);
    expect(got[1].at - leaseUntil).toBeLessThan(3_000);
    expect(got[1].body.first_sent_at).toBe(got[0].body.first_sent_at);
    const rows = await settled(db, ws.workspaceId, 5_000);
    expect(rows.map((row) => [row.notification_id, row.status, row.attempts])).toEqual([
      [first, 'delivered', 2],
      [second, 'delivered', 1],
    ]);
  });

  it('on SIGTERM lets the attempt in flight finish and record, then exits 0', async () => {
    const { id } = await subscribe(dataSource, ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply(async () => {
      await sleep(1_500);
      return { status: 200 };
    });
    const worker = await started();
    const [notificationId] = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await receiver.waitFor(1, 10_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exit(10_000)).toEqual({ code: 0, signal: null });
    const [row] = await deliveryRows(db, ws.workspaceId);
    expect(row).toMatchObject({
      notification_id: notificationId,
      status: 'delivered',
      attempts: 1,
      leased_by: null,
    });
    expect(worker.stdout()).toContain('shutdown complete');
  });

  it('on SIGTERM waits for a hanging attempt to reach its 5-s timeout, records it, and exits 0', async () => {
    const { id } = await subscribe(dataSource, ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply(() => 'hang');
    const worker = await started();
    await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await receiver.waitFor(1, 10_000);
    const stopping = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exit(15_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(7_000);
    const [row] = await deliveryRows(db, ws.workspaceId);
    // Pending again (no worker runs now to try it), its lease given back.
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'ETIMEDOUT', lease_until: null });
  });
});

describe('the worker in deployment', () => {
  const root = join(__dirname, '..');
  type Service = {
    entrypoint?: string[];
    environment?: Record<string, unknown>;
    depends_on?: Record<string, unknown>;
  };
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };

  it("docker-compose.yml runs it as a service of its own and turns the API's off", () => {
    const { api, worker } = compose.services;
    expect(worker.entrypoint).toEqual(['node', 'dist/src/worker-main.js']);
    expect(worker.environment).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: api.environment?.DATABASE_URL,
    });
    expect(worker.environment).not.toHaveProperty('WEBHOOK_WORKER_ENABLED');
    expect(worker.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    expect(api.environment).toMatchObject({ WEBHOOK_WORKER_ENABLED: 'false' });
  });

  it('`npm run worker` and the compose service start the same compiled entry point', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.worker).toContain('node dist/src/worker-main.js');
    expect(existsSync(join(root, compose.services.worker.entrypoint![1]))).toBe(true);
  });
});
