import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { putTicket, testDatabaseUrl, useSeededApp } from './support/app';
import { auditRows, IDS, seedWorkspace, ticketRow } from './support/factories';
import { freePort, type ServerProcess, spawnServer, waitUntilLive } from './support/server-process';
import {
  deliveryRows,
  type Received,
  type Receiver,
  settled,
  startReceiver,
  subscribe,
  verifySignatures,
} from './support/webhooks';

/**
 * Issue #12 end to end: PUT /tickets/{id} through the update path's outbox to a real receiver, by the
 * in-process worker (limited to this file's workspaces), and through a killed API process.
 */
const PREFIX = `whu${randomUUID().slice(0, 6)}_`;
const ALL_TOPICS = [
  'ticket.attribute.updated',
  'ticket.state.updated',
  'ticket.admin.assigned',
  'ticket.team.assigned',
  'ticket.closed',
  'ticket.resolved',
] as const;
const newWorkspace = () => seedWorkspace(undefined, undefined, `${PREFIX}${randomUUID().slice(0, 8)}`);

describe('webhooks from ticket updates', () => {
  const ctx = useSeededApp(newWorkspace, {
    env: {
      WEBHOOK_WORKER_ENABLED: 'true',
      WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
      WEBHOOK_RETRY_SCALE: '0.001',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      TICKET_QUEUE_LIMIT: '1000',
      RATE_LIMIT_PER_10S: '100000',
    },
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

  const put = (body: unknown, headers: Record<string, string> = {}) =>
    putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body, headers);
  /** What a subscription received, as `topic` lines in arrival order. */
  const topicsOf = (subscriptionSecret: string) =>
    receiver.received
      .filter((got) => {
        try {
          verifySignatures(got, subscriptionSecret);
          return true;
        } catch {
          return false;
        }
      })
      .map((got) => got.body.topic);

  it('raises the topics of BEHAVIOUR.md §7 for every kind of change, and none for a no-op, a rejection or skip_notifications', async () => {
    const at214 = await subscribe(
      dataSource,
      ctx.ws.workspaceId,
      receiver.url,
      [...ALL_TOPICS.filter((topic) => topic !== 'ticket.resolved')],
      '2.14',
    );
    const at215 = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, [...ALL_TOPICS], '2.15');

    // Nothing for these (a later change's notification arrives first, so none was queued before it).
    await put({}).expect(200);
    await put({ ticket_attributes: { Priority: 'High' } }).expect(200); // its value already
    await put({ state: 'in_progress', ticket_attributes: { Nope: 1 } }).expect(400);
    await put({ state: 'in_progress' }, { 'If-Match': '"447.999"' }).expect(412);
    await put({ state: 'in_progress', skip_notifications: true }).expect(200);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');

    await put({ ticket_attributes: { Priority: 'Low' } }).expect(200);
    await put({ state: 'waiting_on_customer' }).expect(200);
    await put({ assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin } }).expect(200);
    await put({ assignment: { admin_id: IDS.admin, assignee_id: IDS.team } }).expect(200);
    await put({ open: false }).expect(200);
    await put({ state: 'resolved' }).expect(200);
    const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);

    const expected = (resolved: string) => [
      'ticket.attribute.updated',
      'ticket.state.updated',
      'ticket.admin.assigned',
      'ticket.team.assigned',
      'ticket.closed',
      'ticket.state.updated',
      resolved,
    ];
    expect(topicsOf(at214.secret)).toEqual(expected('ticket.closed'));
    expect(topicsOf(at215.secret)).toEqual(expected('ticket.resolved'));
    expect(receiver.received).toHaveLength(14);
    const audits = await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(audits).toHaveLength(7); // skip_notifications' update is committed (and audited) like any other
  });

  it('an update that rolls back queues nothing, and nothing is ever delivered', async () => {
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, [...ALL_TOPICS], '2.15');
    // The update's statement fails at its last write (the outbox's delivery), after everything else was written.
    const trigger = `whu_fail_${ctx.ws.workspaceId.replace(/\W/g, '_')}`;
    await ctx.t.db.query(`
      CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.workspace_id = '${ctx.ws.workspaceId}' THEN RAISE EXCEPTION 'injected failure'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ${trigger} BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION ${trigger}();`);
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    try {
      const res = await put({ state: 'in_progress', ticket_attributes: { Priority: 'Low' } });
      expect(res.status).toBe(500);
    } finally {
      await ctx.t.db.query(`DROP TRIGGER ${trigger} ON webhook_deliveries; DROP FUNCTION ${trigger}();`);
    }
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual([]);
    const { rows: events } = await ctx.t.db.query('SELECT 1 FROM webhook_events WHERE workspace_id = $1', [
      ctx.ws.workspaceId,
    ]);
    expect(events).toEqual([]);
    expect(await deliveryRows(ctx.t.db, ctx.ws.workspaceId)).toEqual([]);
    // The next update's notification is the first thing the receiver gets.
    await put({ is_shared: false, state: 'waiting_on_customer' }).expect(200);
    await settled(ctx.t.db, ctx.ws.workspaceId, 10_000);
    expect(receiver.received.map((got) => got.body.topic)).toEqual(['ticket.state.updated']);
    expect((await deliveryRows(ctx.t.db, ctx.ws.workspaceId)).map((row) => row.subscription_id)).toEqual([
      id,
    ]);
  });

  it('50 concurrent updates of one ticket arrive in commit order, each once', async () => {
    const { secret } = await subscribe(dataSource, ctx.ws.workspaceId, receiver.url, [
      'ticket.attribute.updated',
    ]);
    const values = Array.from({ length: 50 }, (_, i) => `value ${i}`);
    const answers = await Promise.all(
      values.map((value) => put({ ticket_attributes: { _default_description_: value } })),
    );
    expect(answers.map((res) => res.status)).toEqual(values.map(() => 200));
    const rows = await settled(ctx.t.db, ctx.ws.workspaceId, 30_000);
    expect(rows).toHaveLength(50);
    expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);

    // Commit order: the audit rows by version; each notification shows the value its update wrote.
    const committed = (await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).map(
      (row) => row.changes['ticket_attributes._default_description_'].after,
    );
    expect(new Set(committed)).toEqual(new Set(values));
    const arrived: Received[] = receiver.received;
    expect(arrived.map((got) => got.body.id)).toEqual(rows.map((row) => row.notification_id));
    expect(new Set(arrived.map((got) => got.body.id)).size).toBe(50);
    expect(
      arrived.map(
        (got) => (got.body.data.item.ticket_attributes as Record<string, unknown>)._default_description_,
      ),
    ).toEqual(committed);
    for (const got of arrived) verifySignatures(got, secret);
    // Notification times follow the commits too.
    const times = arrived.map((got) => got.body.created_at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('webhooks from ticket updates: the API process killed after COMMIT', () => {
  let receiver: Receiver;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    server?.kill();
    await receiver?.close();
  });

  const start = async (env: Record<string, string>) => {
    const port = await freePort();
    server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      LOG_FORMAT: 'json',
      WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
      WEBHOOK_POLL_INTERVAL_MS: '200',
      ...env,
    });
    await waitUntilLive(server, port);
    return `http://127.0.0.1:${port}`;
  };

  it('a notification committed before SIGKILL is delivered after the restart', async () => {
    receiver = await startReceiver();
    const ws = await newWorkspace();
    const dataSource = await createDataSource(testDatabaseUrl(), ENTITIES, 1).initialize();
    let secret: string;
    try {
      ({ secret } = await subscribe(dataSource, ws.workspaceId, receiver.url, ['ticket.state.updated']));
    } finally {
      await dataSource.destroy();
    }
    // The API alone (as compose runs it), so nothing is delivered before it dies.
    const api = await start({ WEBHOOK_WORKER_ENABLED: 'false' });
    const res = await request(api)
      .put(`/tickets/${IDS.ticket}`)
      .set('Authorization', `Bearer ${ws.token}`)
      .send({ state: 'in_progress' })
      .expect(200);
    server!.child.kill('SIGKILL');
    await server!.exit(5_000);
    const db = new Pool({ connectionString: testDatabaseUrl(), max: 1 });
    const [queued] = await deliveryRows(db, ws.workspaceId).finally(() => db.end());
    expect(queued).toMatchObject({ status: 'pending', attempts: 0 });
    expect(receiver.received).toEqual([]);

    await start({ WEBHOOK_WORKER_ENABLED: 'true' });
    const [got] = await receiver.waitFor(1, 15_000);
    verifySignatures(got, secret);
    expect(got.body).toMatchObject({
      id: queued.notification_id,
      topic: 'ticket.state.updated',
      delivery_attempts: 1,
    });
    expect(got.body.data.item).toEqual(res.body);
  });
});
