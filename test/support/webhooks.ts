import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { encodeTicketSnapshot } from '../../src/tickets/ticket-snapshot';
import { TicketsRepository } from '../../src/tickets/tickets.repository';
import type { WebhookTopic } from '../../src/webhooks/entities/webhook-subscription.entity';
import { WebhookSubscriptionsService } from '../../src/webhooks/webhook-subscriptions.service';
import { sleep } from './server-process';

/** A subscription made as `webhook create` makes it (the service the CLI calls). */
export function subscribe(
  dataSource: DataSource,
  workspaceId: string,
  url: string,
  topics: WebhookTopic[],
  version?: string,
): Promise<{ id: string; secret: string }> {
  return new WebhookSubscriptionsService(dataSource).create(workspaceId, url, topics, version);
}

/**
 * What the update path's outbox writes for a committed update (until it writes it itself): one event holding the
 * ticket as it is now (encodeTicketSnapshot of the ticket's view, its newest part id, its part count, its
 * updated_at), and one pending delivery per (subscription, topic) given, in that order, ids drawn after the
 * ticket's row lock; then NOTIFY webhook_deliveries, all in one transaction. Returns the notification ids.
 */
export async function queueNotifications(
  dataSource: DataSource,
  workspaceId: string,
  ticketId: string,
  deliveries: { subscriptionId: string; topic: string }[],
): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT 1 FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
      workspaceId,
      ticketId,
    ]);
    const read = await new TicketsRepository().readTicket(dataSource, workspaceId, ticketId);
    if (!read) throw new Error(`ticket ${ticketId} not found in ${workspaceId}`);
    const rows: { notification_id: string }[] = await manager.query(
      `WITH event AS (
         INSERT INTO webhook_events (workspace_id, ticket_id, ticket, parts_through, total_parts, created_at)
         SELECT $1, $2, $3::jsonb,
                (SELECT max(id) FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2),
                (SELECT count(*) FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2),
                t.updated_at
           FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2
         RETURNING id, created_at
       ), queued AS (
         INSERT INTO webhook_deliveries (workspace_id, notification_id, subscription_id, event_id, ticket_id, topic,
                                         next_attempt_at)
         SELECT $1, 'notif_' || gen_random_uuid(), q.subscription_id, event.id, $2, q.topic, event.created_at
           FROM event, unnest($4::bigint[], $5::text[]) WITH ORDINALITY AS q(subscription_id, topic, ord)
          ORDER BY q.ord
         RETURNING id, notification_id
       )
       SELECT notification_id, pg_notify('webhook_deliveries', '') FROM queued ORDER BY id`,
      [
        workspaceId,
        ticketId,
        encodeTicketSnapshot(read.ticket),
        deliveries.map((delivery) => delivery.subscriptionId),
        deliveries.map((delivery) => delivery.topic),
      ],
    );
    return rows.map((row) => row.notification_id);
  });
}

export type DeliveryRow = {
  id: string;
  notification_id: string;
  subscription_id: string;
  topic: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  first_sent_at: Date | null;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  lease_until: Date | null;
  leased_by: string | null;
};

/** A workspace's deliveries as stored, in id (commit) order. */
export async function deliveryRows(db: Pool, workspaceId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id::text, notification_id, subscription_id::text, topic, status, attempts, first_sent_at,
            last_attempt_at, last_status, last_error, next_attempt_at, delivered_at, lease_until, leased_by
       FROM webhook_deliveries WHERE workspace_id = $1 ORDER BY webhook_deliveries.id`,
    [workspaceId],
  );
  return rows;
}

/** Polls until every delivery of the workspace has left `pending` (bounded), then returns them. */
export async function settled(db: Pool, workspaceId: string, ms: number): Promise<DeliveryRow[]> {
  const started = Date.now();
  for (;;) {
    const rows = await deliveryRows(db, workspaceId);
    if (rows.length > 0 && rows.every((row) => row.status !== 'pending')) return rows;
    if (Date.now() - started > ms) {
      throw new Error(
        `deliveries still pending after ${ms} ms: ${JSON.stringify(rows.map((r) => r.status))}`,
      );
    }
    await sleep(25);
  }
}
