import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MetricsServer } from '../src/metrics/metrics.server';
import { WebhookRetention } from '../src/webhooks/webhook-retention';
import { putTicket, testDatabaseUrl, useSeededApp, within } from './support/app';
import { IDS, seedWorkspace } from './support/factories';
import { freePort, runNode, sleep } from './support/server-process';
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
 * BEHAVIOUR.md §7, delivery: the in-process worker against a real receiver on 127.0.0.1. Notifications are
 * queued as the update path's outbox queues them (test/support/webhooks.ts). Only this file's workspaces are the
 * worker's (WEBHOOK_WORKER_WORKSPACES), so workers of other files never take them; the retry schedule is scaled
 * down 1,000 times (10 s → 10 ms; the one-day window → 86 s).
 */
const PREFIX = `whd${randomUUID().slice(0, 6)}_`;
const lines: string[] = [];
const newWorkspace = () => seedWorkspace(undefined, undefined, `${PREFIX}${randomUUID().slice(0, 8)}`);

describe('webhook delivery', () => {
  const ctx = useSeededApp(newWorkspace, {
    env: {
      WEBHOOK_WORKER_ENABLED: 'true',
      WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
      WEBHOOK_RETRY_SCALE: '0.001',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    },
    logDestination: { write: (line: string) => void lines.push(line) },
  });
  let receiver: Receiver;
  let dataSource: DataSource;
  beforeAll(() => {
    dataSource = ctx.t.app.get(DataSource);
  });
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  const get = (version: string, id: string = IDS.ticket) =>
    request(ctx.t.http)
      .get(`/tickets/${id}`)
      .set('Authorization', `Bearer ${ctx.ws.token}`)
      .set('Intercom-Version', version)
      .expect(200);

  it('POSTs the envelope with both signatures, verified by independent implementations', async () => {
    const { id, secret } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, [
      'ticket.state.updated',
    ]);
    const before = Math.floor(Date.now() / 1000);
    const [notificationId] = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.state.updated' },
    ]);
    const [got] = await receiver.waitFor(1, 10_000);

    const envelope = verifySignatures(got, secret);
    const { rows } = await ctx.t.db.query<{ created_at: Date }>(
      `SELECT e.created_at FROM webhook_events e JOIN webhook_deliveries d
          ON d.workspace_id = e.workspace_id AND d.event_id = e.id WHERE d.notification_id = $1`,
      [notificationId],
    );
    expect(envelope).toEqual({
      type: 'notification_event',
      app_id: ctx.ws.workspaceId,
      id: notificationId,
      topic: 'ticket.state.updated',
      created_at: Math.floor(rows[0].created_at.getTime() / 1000),
      delivery_attempts: 1,
      first_sent_at: expect.any(Number) as number,
      data: { type: 'notification_event_data', item: (await get('2.9')).body as unknown },
    });
    expect(notificationId).toMatch(/^notif_[0-9a-f-]{36}$/);
    expect(envelope.first_sent_at).toBeGreaterThanOrEqual(before);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^intercom-tickets-service-webhooks\//);
    expect(got.headers['webhook-id']).toBe(notificationId);
    expect(Number(got.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

    const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(row).toMatchObject({
      notification_id: notificationId,
      status: 'delivered',
      attempts: 1,
      last_status: 200,
      last_error: null,
      lease_until: null,
      leased_by: null,
    });
    expect(row.delivered_at).not.toBeNull();
    expect(Math.floor(row.first_sent_at!.getTime() / 1000)).toBe(envelope.first_sent_at);
    // A tampered body or another secret fails the same checks.
    expect(() =>
      verifySignatures({ ...got, raw: Buffer.concat([got.raw, Buffer.from(' ')]) }, secret),
    ).toThrow();
    expect(() => verifySignatures(got, 'whsec_' + Buffer.alloc(32, 1).toString('base64'))).toThrow();
  });

  it("README's verification snippet accepts a real notification and refuses a tampered one", async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Signatures'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1];
    type Verify = (rawBody: Buffer, headers: Record<string, unknown>, secret: string) => boolean;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const verify = new Function('require', `${code}\nreturn verify;`)(require) as Verify;
    const { id, secret } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const [got] = await receiver.waitFor(1, 10_000);
    expect(verify(got.raw, got.headers, secret)).toBe(true);
    expect(verify(Buffer.concat([got.raw, Buffer.from(' ')]), got.headers, secret)).toBe(false);
    expect(verify(got.raw, got.headers, `whsec_${Buffer.alloc(32, 7).toString('base64')}`)).toBe(false);
    const stale = String(Number(got.headers['webhook-timestamp']) - 600);
    expect(verify(got.raw, { ...got.headers, 'webhook-timestamp': stale }, secret)).toBe(false);
  });

  it("renders the ticket as each update left it, in each subscription's version, through retries", async () => {
    // The update path's own outbox queues these (BEHAVIOUR.md §7): a 2.9 and a 2.14 subscription side by side.
    const v29 = await subscribe(
      dataSource,
      ctx.ws.workspaceId,
      receiver.url,
      ['ticket.state.updated'],
      '2.9',
    );
    const v214 = await subscribe(
      dataSource,
      ctx.ws.workspaceId,
      receiver.url,
      ['ticket.state.updated'],
      '2.14',
    );
    // The first attempt of each fails, and the ticket changes again before the second.
    receiver.reply((_request, n) => (n < 2 ? { status: 503 } : { status: 200 }));
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      state: 'in_progress',
      ticket_attributes: { Priority: 'Low' },
    }).expect(200);
    const first = { '2.9': (await get('2.9')).body as unknown, '2.14': (await get('2.14')).body as unknown };
    await receiver.waitFor(2, 10_000);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      state: 'resolved',
      ticket_attributes: { Priority: 'High' },
    }).expect(200);
    const second = { '2.9': (await get('2.9')).body as unknown, '2.14': (await get('2.14')).body as unknown };
    const all = await receiver.waitFor(6, 10_000);

    const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(rows.map((row) => [row.subscription_id, row.topic, row.status])).toEqual([
      [v29.id, 'ticket.state.updated', 'delivered'],
      [v214.id, 'ticket.state.updated', 'delivered'],
      [v29.id, 'ticket.state.updated', 'delivered'],
      [v214.id, 'ticket.state.updated', 'delivered'],
    ]);
    const items = (row: number) =>
      all.filter((got) => got.body.id === rows[row].notification_id).map((got) => got.body.data.item);
    expect(items(0)).toEqual([first['2.9'], first['2.9']]);
    expect(items(1)).toEqual([first['2.14'], first['2.14']]);
    expect(items(2)).toEqual([second['2.9']]);
    expect(items(3)).toEqual([second['2.14']]);
    expect(first['2.9']).toMatchObject({
      ticket_state: 'in_progress',
      ticket_attributes: { Priority: 'Low' },
    });
    expect(first['2.14']).toMatchObject({ ticket_state: { category: 'in_progress' } });
    expect(second['2.9']).toMatchObject({
      ticket_state: 'resolved',
      ticket_attributes: { Priority: 'High' },
    });
    // Per subscription, the second update's notification only after the first's was delivered.
    const order = all.map((got) => rows.findIndex((row) => row.notification_id === got.body.id));
    expect(order.indexOf(2)).toBeGreaterThan(order.lastIndexOf(0));
    expect(order.indexOf(3)).toBeGreaterThan(order.lastIndexOf(1));
    for (const got of all) {
      const row = rows.find((r) => r.notification_id === got.body.id)!;
      verifySignatures(got, row.subscription_id === v29.id ? v29.secret : v214.secret);
    }
  });

  it('retries a failing receiver with the same id and growing delays, then delivers', async () => {
    const { id, secret } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply((_request, n) =>
      n < 3 ? { status: 500, body: 'down for maintenance' } : { status: 200 },
    );
    const [notificationId] = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const got = await receiver.waitFor(4, 15_000);

    expect(got.map((r) => r.body.id)).toEqual(Array(4).fill(notificationId));
    expect(got.map((r) => r.headers['webhook-id'])).toEqual(Array(4).fill(notificationId));
    expect(got.map((r) => r.body.delivery_attempts)).toEqual([1, 2, 3, 4]);
    expect(new Set(got.map((r) => r.body.first_sent_at)).size).toBe(1);
    for (const r of got) verifySignatures(r, secret);
    // 10 ms, 60 ms, 300 ms (scaled 1,000 times), each within ±20% and never early.
    const gaps = got.slice(1).map((r, i) => r.at - got[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(8);
    expect(gaps[1]).toBeGreaterThanOrEqual(48);
    expect(gaps[2]).toBeGreaterThanOrEqual(240);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);

    const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(row).toMatchObject({ status: 'delivered', attempts: 4, last_status: 200, last_error: null });
    // One log line per failed attempt: the ids and the status, never the secret or the body.
    const failures = lines.filter((line) => line.includes(notificationId));
    expect(failures).toHaveLength(3);
    expect(failures[0]).toContain(
      `webhook attempt 1 of ${notificationId} failed (HTTP 500: down for maintenance)`,
    );
    expect(failures[0]).toContain(`subscription ${id}`);
    expect(failures[0]).toMatch(/next attempt at \d{4}-/);
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret.slice('whsec_'.length));
    expect(lines.join('\n')).not.toContain('notification_event_data');
  });

  it('gives an attempt 5 seconds, then tries again', async () => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply((_request, n) => (n === 0 ? 'hang' : { status: 204 }));
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await receiver.waitFor(1, 10_000);
    await within(
      10_000,
      async () => (await deliveryRows(ctx.t.db, ctx.ws.workspaceId))[0].last_error === 'ETIMEDOUT',
    );
    const got = await receiver.waitFor(2, 10_000);
    expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(5_000);
    expect(got[1].at - got[0].at).toBeLessThan(7_000);
    const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, last_status: 204 });
  });

  it('retries a refused connection until the receiver listens', async () => {
    const port = await freePort();
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, `http://127.0.0.1:${port}/hooks`, [
      'ticket.closed',
    ]);
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await within(10_000, async () => {
      const [row] = await deliveryRows(ctx.t.db, ctx.ws.workspaceId);
      return row.attempts >= 2 && row.last_error === 'ECONNREFUSED' && row.status === 'pending';
    });
    const late = await startReceiver(port);
    try {
      const [got] = await late.waitFor(1, 10_000);
      const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
      expect(row).toMatchObject({ status: 'delivered', last_status: 200 });
      expect(got.body.delivery_attempts).toBe(row.attempts);
      expect(row.attempts).toBeGreaterThanOrEqual(3);
    } finally {
      await late.close();
    }
  });

  it.each([
    ['delay-seconds', () => '1'],
    ['an HTTP-date', () => new Date(Date.now() + 2_000).toUTCString()],
  ])("waits for a 429's Retry-After given as %s", async (_label, retryAfter) => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    receiver.reply((_request, n) =>
      n === 0 ? { status: 429, headers: { 'Retry-After': retryAfter() } } : { status: 200 },
    );
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const got = await receiver.waitFor(2, 10_000);
    // The regular first delay would be 10 ms; the receiver asked for about a second (the date's is whole seconds).
    expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(950);
    expect(got[1].at - got[0].at).toBeLessThan(3_500);
    const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('on a 410 disables the subscription and fails its pending notifications', async () => {
    const gone = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    const other = await startReceiver();
    try {
      const kept = await subscribe(dataSource, ctx.ws.workspaceId, other.url, ['ticket.closed']);
      // The 410 comes once the second update's notification is queued behind the first.
      let queued: () => void = () => undefined;
      const bothQueued = new Promise<void>((resolve) => (queued = resolve));
      receiver.reply(async () => {
        await bothQueued;
        return { status: 410 };
      });
      const ids = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
        { subscriptionId: gone.id, topic: 'ticket.closed' },
        { subscriptionId: kept.id, topic: 'ticket.closed' },
      ]);
      ids.push(
        ...(await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
          { subscriptionId: gone.id, topic: 'ticket.closed' },
        ])),
      );
      queued();
      const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
      expect(receiver.received.map((r) => r.body.id)).toEqual([ids[0]]);
      expect(rows.map((row) => [row.notification_id, row.status, row.last_status])).toEqual([
        [ids[0], 'failed', 410],
        [ids[1], 'delivered', 200],
        [ids[2], 'failed', null],
      ]);
      expect(rows[2].last_error).toBe('subscription disabled (the receiver answered 410 Gone)');
      expect(rows[0].last_error).toBe('HTTP 410');
      expect(rows[2].attempts).toBe(0);
      const { rows: subscriptions } = await ctx.t.db.query<{
        id: string;
        active: boolean;
        disabled_reason: string;
      }>(
        'SELECT id::text, active, disabled_reason FROM webhook_subscriptions WHERE workspace_id = $1 ORDER BY webhook_subscriptions.id',
        [ctx.ws.workspaceId],
      );
      expect(subscriptions).toEqual([
        { id: gone.id, active: false, disabled_reason: `the receiver answered 410 Gone to ${ids[0]}` },
        { id: kept.id, active: true, disabled_reason: null },
      ]);
      // A notification queued by an update that read the subscription as active just before it was disabled.
      const [late] = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticketB, [
        { subscriptionId: gone.id, topic: 'ticket.closed' },
      ]);
      await within(5_000, async () =>
        (await deliveryRows(ctx.t.db, ctx.ws.workspaceId)).some(
          (row) => row.notification_id === late && row.status === 'failed',
        ),
      );
      await sleep(300);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('keeps commit order per subscription and ticket while the head waits for its retries', async () => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    const queue = (ticket: string) =>
      queueNotifications(dataSource, ctx.ws.workspaceId, ticket, [
        { subscriptionId: id, topic: 'ticket.closed' },
      ]);
    const head = await queue(IDS.ticket);
    receiver.reply((got) =>
      got.body.id === head[0] && got.body.delivery_attempts < 4 ? { status: 500 } : { status: 200 },
    );
    const chain = [...head, ...(await queue(IDS.ticket)), ...(await queue(IDS.ticket))];
    const [otherTicket] = await queue(IDS.ticketB);
    const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 15_000);
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);

    const order = receiver.received.map((r) => `${r.body.id}#${r.body.delivery_attempts}`);
    expect(order.filter((entry) => !entry.startsWith(otherTicket))).toEqual([
      `${chain[0]}#1`,
      `${chain[0]}#2`,
      `${chain[0]}#3`,
      `${chain[0]}#4`,
      `${chain[1]}#1`,
      `${chain[2]}#1`,
    ]);
    // Another ticket's chain does not wait for this one's head.
    expect(order.indexOf(`${otherTicket}#1`)).toBeLessThan(order.indexOf(`${chain[0]}#4`));
  });

  it('counts deliveries and attempts, and reports the queue, on /metrics', async () => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.admin.assigned']);
    receiver.reply((_request, n) => (n === 0 ? { status: 502 } : 'hang'));
    const { port } = ctx.t.app.get(MetricsServer).address();
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sample = (text: string, name: string) =>
      Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await scrape();
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.admin.assigned' },
    ]);
    await receiver.waitFor(2, 10_000);
    const during = await scrape();
    expect(
      sample(during, 'webhook_deliveries_total{topic="ticket.admin.assigned",outcome="retry"}') -
        sample(before, 'webhook_deliveries_total{topic="ticket.admin.assigned",outcome="retry"}'),
    ).toBe(1);
    expect(sample(during, 'webhook_delivery_attempts_total{result="5xx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(during, 'webhook_deliveries_pending')).toBeGreaterThanOrEqual(1);
    expect(during).toMatch(/^webhook_oldest_due_seconds \d/m);
    expect(during).toMatch(/^webhook_delivery_attempt_duration_seconds_count\{result="5xx"\} \d/m);
    // Stuck behind a lease, nothing is due; the hanging attempt ends at its timeout (the app closes meanwhile).
    expect(sample(during, 'webhook_oldest_due_seconds')).toBeLessThan(1);
    receiver.reply(() => ({ status: 200 }));
    await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
    const after = await scrape();
    expect(
      sample(after, 'webhook_deliveries_total{topic="ticket.admin.assigned",outcome="delivered"}') -
        sample(before, 'webhook_deliveries_total{topic="ticket.admin.assigned",outcome="delivered"}'),
    ).toBe(1);
    expect(sample(after, 'webhook_delivery_attempts_total{result="ETIMEDOUT"}')).toBeGreaterThanOrEqual(1);
  });

  it('deletes delivered notifications past retention, then the events nothing refers to', async () => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    const old = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const shared = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticketB, [
      { subscriptionId: id, topic: 'ticket.closed' },
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const recent = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.wideTicket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
    // Eight days ago: the first event and its delivery, the second event and one of its two deliveries, which
    // is failed (kept: redeliverable).
    await ctx.t.db.query(
      `UPDATE webhook_deliveries SET delivered_at = now() - interval '8 days'
        WHERE workspace_id = $1 AND notification_id = ANY ($2)`,
      [ctx.ws.workspaceId, [...old, shared[0]]],
    );
    await ctx.t.db.query(
      `UPDATE webhook_deliveries SET status = 'failed', delivered_at = NULL WHERE workspace_id = $1 AND notification_id = $2`,
      [ctx.ws.workspaceId, shared[1]],
    );
    await ctx.t.db.query(
      `UPDATE webhook_events SET created_at = now() - interval '8 days'
        WHERE workspace_id = $1 AND ticket_id = ANY ($2::bigint[])`,
      [ctx.ws.workspaceId, [IDS.ticket, IDS.ticketB]],
    );
    await ctx.t.app.get(WebhookRetention).runOnce();

    const rows = await deliveryRows(ctx.t.db, ctx.ws.workspaceId);
    expect(rows.map((row) => [row.notification_id, row.status])).toEqual([
      [shared[1], 'failed'],
      [recent[0], 'delivered'],
    ]);
    const { rows: events } = await ctx.t.db.query<{ ticket_id: string }>(
      'SELECT ticket_id::text FROM webhook_events WHERE workspace_id = $1 ORDER BY id',
      [ctx.ws.workspaceId],
    );
    expect(events.map((event) => event.ticket_id)).toEqual([IDS.ticketB, IDS.wideTicket]);
  });
});

describe('webhook delivery: giving up, and redelivery', () => {
  // The one-day window scaled 100,000 times: 0.86 s, in which the schedule makes about six attempts.
  const ctx = useSeededApp(newWorkspace, {
    env: {
      WEBHOOK_WORKER_ENABLED: 'true',
      WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
      WEBHOOK_RETRY_SCALE: '0.00001',
      WEBHOOK_POLL_INTERVAL_MS: '200',
    },
  });
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  it('fails a notification after its window, unblocks its chain, and `webhook redeliver` sends it again', async () => {
    const dataSource = ctx.t.app.get(DataSource);
    const { id, secret } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, ['ticket.closed']);
    let doomed = '';
    receiver.reply((got: Received) => (got.body.id === doomed ? { status: 500 } : { status: 200 }));
    [doomed] = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const [next] = await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
    expect(rows.map((row) => [row.notification_id, row.status])).toEqual([
      [doomed, 'failed'],
      [next, 'delivered'],
    ]);
    const attempts = rows[0].attempts;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(rows[0]).toMatchObject({ last_status: 500, last_error: 'HTTP 500' });
    const order = receiver.received.map((r) => r.body.id);
    expect(order).toEqual([...Array<string>(attempts).fill(doomed), next]);

    // Listed as failed, then queued again by the compiled CLI: the same id, the attempts counted on.
    const cli = (...args: string[]) =>
      runNode('cli/main.js', ['webhook', ...args], {
        env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
      });
    const listed = await cli('deliveries', '--workspace', ctx.ws.workspaceId, '--failed');
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { id: string }).id),
    ).toEqual([doomed]);
    receiver.reply(() => ({ status: 200 }));
    const redelivered = await cli('redeliver', doomed);
    expect(redelivered).toMatchObject({ code: 0, stdout: '' });
    expect(redelivered.stderr).toBe(
      `notification ${doomed} queued again (attempt ${attempts + 1} is next)\n`,
    );
    const [again] = (await receiver.waitFor(attempts + 2, 5_000)).slice(-1);
    expect(again.body).toMatchObject({ id: doomed, delivery_attempts: attempts + 1 });
    expect(again.body.first_sent_at).toBe(receiver.received[0].body.first_sent_at);
    verifySignatures(again, secret);
    const [row] = await settled(ctx.t.db, ctx.ws.workspaceId, 5_000);
    expect(row).toMatchObject({ notification_id: doomed, status: 'delivered', attempts: attempts + 1 });
  });
});
