import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { viewFromSnapshot } from '../src/tickets/ticket-snapshot';
import { toTicketResponse } from '../src/tickets/ticket.mapper';
import { TicketsRepository } from '../src/tickets/tickets.repository';
import { putTicket, testDatabaseUrl, useSeededApp, within } from './support/app';
import { IDS, seedWorkspace, ticketRow } from './support/factories';
import { STATES, statesSnapshot } from './support/states';

/*
 * Issue #12 point 2: the update's own statement writes the webhook outbox (BEHAVIOUR.md §7): one event holding
 * the ticket as the update left it and one delivery per subscription and topic, nothing for a no-op, a rejected
 * update or skip_notifications, and a NOTIFY at COMMIT.
 */

const ALL_TOPICS = [
  'ticket.attribute.updated',
  'ticket.state.updated',
  'ticket.admin.assigned',
  'ticket.team.assigned',
  'ticket.closed',
  'ticket.resolved',
];

type Delivery = {
  id: string;
  notification_id: string;
  subscription_id: string;
  topic: string;
  event_id: string;
};

describe('the webhook outbox, written with the update', () => {
  const ctx = useSeededApp(() => seedWorkspace(statesSnapshot));
  let dataSource: DataSource;
  let subscriptions: { old: string; current: string; disabled: string };

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), ENTITIES, 2).initialize();
  });
  afterAll(() => dataSource?.destroy());

  beforeEach(async () => {
    const add = async (version: string, topics: string[], active = true) => {
      const { rows } = await ctx.t.db.query<{ id: string }>(
        `INSERT INTO webhook_subscriptions (workspace_id, url, topics, version, secret, active)
         VALUES ($1, 'http://127.0.0.1:9/hook', $2, $3, 'whsec_dGVzdA==', $4) RETURNING id::text`,
        [ctx.ws.workspaceId, topics, version, active],
      );
      return rows[0].id;
    };
    subscriptions = {
      old: await add(
        '2.9',
        ALL_TOPICS.filter((topic) => topic !== 'ticket.resolved'),
      ),
      current: await add('2.15', ALL_TOPICS),
      disabled: await add('2.14', ALL_TOPICS, false),
    };
  });

  const put = (body: unknown, headers: Record<string, string> = {}, version = '2.15') =>
    putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body, { 'Intercom-Version': version, ...headers });
  const deliveries = async () =>
    (
      await ctx.t.db.query<Delivery>(
        `SELECT id::text, notification_id, subscription_id::text, topic, event_id::text FROM webhook_deliveries
          WHERE workspace_id = $1 ORDER BY webhook_deliveries.id`,
        [ctx.ws.workspaceId],
      )
    ).rows;
  const events = async () =>
    (
      await ctx.t.db.query<{
        id: string;
        ticket: unknown;
        created_at: Date;
        parts_through: string | null;
        total_parts: number;
      }>(
        `SELECT id::text, ticket, created_at, parts_through::text, total_parts FROM webhook_events
          WHERE workspace_id = $1 ORDER BY webhook_events.id`,
        [ctx.ws.workspaceId],
      )
    ).rows;

  it('one event and one pending delivery per active subscription and topic, 2.15 resolving as ticket.resolved', async () => {
    await put({
      ticket_attributes: { Priority: 'Low' },
      state: 'resolved',
      admin_id: IDS.admin,
      assignee_id: IDS.team,
    }).expect(200);
    const queued = await deliveries();
    const topics = (id: string) => queued.filter((d) => d.subscription_id === id).map((d) => d.topic);
    expect(topics(subscriptions.old)).toEqual([
      'ticket.attribute.updated',
      'ticket.state.updated',
      'ticket.team.assigned',
      'ticket.closed',
    ]);
    expect(topics(subscriptions.current)).toEqual([
      'ticket.attribute.updated',
      'ticket.state.updated',
      'ticket.team.assigned',
      'ticket.resolved',
    ]);
    expect(topics(subscriptions.disabled)).toEqual([]);
    expect(new Set(queued.map((d) => d.event_id)).size).toBe(1);
    for (const delivery of queued) expect(delivery.notification_id).toMatch(/^notif_[0-9a-f-]{36}$/);
    const { rows } = await ctx.t.db.query<{ status: string; attempts: number; due: boolean }>(
      `SELECT DISTINCT status, attempts, next_attempt_at <= now() AS due FROM webhook_deliveries WHERE workspace_id = $1`,
      [ctx.ws.workspaceId],
    );
    expect(rows).toEqual([{ status: 'pending', attempts: 0, due: true }]);
  });

  it('the event renders, in each version, exactly the ticket the update answered with', async () => {
    const responses = new Map<string, unknown>();
    const first = await put({
      ticket_state_id: STATES.investigating,
      ticket_attributes: { 'Affected users': 3 },
    });
    responses.set('2.15', first.body);
    const [event] = await events();
    const repository = new TicketsRepository();
    const parts = await repository.findPartsThrough(
      dataSource,
      ctx.ws.workspaceId,
      IDS.ticket,
      event.parts_through,
    );
    const view = viewFromSnapshot(event.ticket, event.created_at, parts, event.total_parts);
    expect(JSON.parse(JSON.stringify(toTicketResponse(view, '2.15')))).toEqual(first.body);

    // Later updates do not change what the first event shows.
    await put({ state: 'resolved', is_shared: false }, {}, '2.9').expect(200);
    const again = viewFromSnapshot(
      event.ticket,
      event.created_at,
      await repository.findPartsThrough(dataSource, ctx.ws.workspaceId, IDS.ticket, event.parts_through),
      event.total_parts,
    );
    expect(JSON.parse(JSON.stringify(toTicketResponse(again, '2.15')))).toEqual(first.body);
    const at29 = toTicketResponse(again, '2.9');
    expect(at29).toMatchObject({ ticket_state: 'in_progress', ticket_state_internal_label: 'Investigating' });
    expect(await events()).toHaveLength(2);
  });

  it('nothing for a no-op, a 400, a 412, a 404, or skip_notifications (which still updates)', async () => {
    await put({}).expect(200);
    await put({ state: 'in_progress', ticket_attributes: { Nope: 1 } }).expect(400);
    await put({ state: 'in_progress' }, { 'If-Match': '"447.999"' }).expect(412);
    await put({ state: 'in_progress', assignee_id: '123456' }).expect(404);
    await put({ state: 'in_progress', skip_notifications: true }).expect(200);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
    expect(await deliveries()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('deliveries of one ticket are numbered in commit order across updates', async () => {
    await put({ ticket_attributes: { Priority: 'Low' } }).expect(200);
    await put({ ticket_attributes: { Priority: 'High' } }).expect(200);
    await put({ state: 'waiting_on_customer' }).expect(200);
    const mine = (await deliveries()).filter((d) => d.subscription_id === subscriptions.current);
    expect(mine.map((d) => d.topic)).toEqual([
      'ticket.attribute.updated',
      'ticket.attribute.updated',
      'ticket.state.updated',
    ]);
    const ids = mine.map((d) => BigInt(d.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    const eventIds = mine.map((d) => BigInt(d.event_id));
    expect([...eventIds].sort((a, b) => (a < b ? -1 : 1))).toEqual(eventIds);
  });

  it('NOTIFY webhook_deliveries reaches a listener when the update commits', async () => {
    const listener = new Client({ connectionString: testDatabaseUrl() });
    await listener.connect();
    let heard = 0;
    listener.on('notification', (message) => {
      // Other suites' updates notify too: only this workspace's count.
      if (message.channel === 'webhook_deliveries' && message.payload === ctx.ws.workspaceId) heard++;
    });
    await listener.query('LISTEN webhook_deliveries');
    try {
      await put({ state: 'in_progress' }).expect(200);
      await within(2_000, async () => heard > 0);
      const before = heard;
      await put({ is_shared: false }).expect(200); // raises no topic: no NOTIFY
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toBe(before);
    } finally {
      await listener.end();
    }
  });
});
