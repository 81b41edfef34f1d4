import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #12 (BEHAVIOUR.md §7): ticket webhooks through an outbox written in the update's own transaction.
 *
 * - `webhook_subscriptions`: a workspace's receivers, each with its topics, the API version its notifications
 *   show the ticket in, and its signing secret (kept so that it can sign; shown once, never logged).
 * - `webhook_events`: one row per committed update that raised a topic: the ticket as that update left it (the
 *   one internal model without its parts, as JSON), the newest part id and the part count at that commit. A
 *   notification's ticket is rendered from it at delivery, in its subscription's version.
 * - `webhook_deliveries`: one row per subscription and topic; its id orders the deliveries of one ticket and
 *   subscription (drawn after the ticket's row lock, so in commit order), and it carries the delivery state:
 *   attempts, the next attempt, the lease of the worker delivering it.
 *
 * The workers' claim reads across workspaces, like the idempotency cleaner: deliveries are the service's own
 * work queue, not tenant data a request reads.
 */
export class Webhooks1764300000000 implements MigrationInterface {
  name = 'Webhooks1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SEQUENCE webhook_subscriptions_id_seq;
      CREATE TABLE webhook_subscriptions (
        workspace_id text NOT NULL REFERENCES workspaces (workspace_id) ON DELETE CASCADE,
        id bigint NOT NULL DEFAULT nextval('webhook_subscriptions_id_seq'),
        url text NOT NULL,
        topics text[] NOT NULL,
        version text NOT NULL,
        secret text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        disabled_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      );

      CREATE SEQUENCE webhook_events_id_seq;
      CREATE TABLE webhook_events (
        workspace_id text NOT NULL,
        id bigint NOT NULL DEFAULT nextval('webhook_events_id_seq'),
        ticket_id bigint NOT NULL,
        ticket jsonb NOT NULL,
        parts_through bigint,
        total_parts integer NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, id),
        FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
      );

      CREATE SEQUENCE webhook_deliveries_id_seq;
      CREATE TABLE webhook_deliveries (
        workspace_id text NOT NULL,
        id bigint NOT NULL DEFAULT nextval('webhook_deliveries_id_seq'),
        notification_id text NOT NULL,
        subscription_id bigint NOT NULL,
        event_id bigint NOT NULL,
        ticket_id bigint NOT NULL,
        topic text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        first_sent_at timestamptz,
        last_attempt_at timestamptz,
        last_status integer,
        last_error text,
        delivered_at timestamptz,
        lease_until timestamptz,
        leased_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id),
        UNIQUE (workspace_id, notification_id),
        FOREIGN KEY (workspace_id, subscription_id) REFERENCES webhook_subscriptions (workspace_id, id) ON DELETE CASCADE,
        FOREIGN KEY (workspace_id, event_id) REFERENCES webhook_events (workspace_id, id) ON DELETE CASCADE
      );
      -- The workers' claim: pending deliveries by due time.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
      -- Head of a chain: no earlier pending delivery of the same subscription and ticket.
      CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (workspace_id, subscription_id, ticket_id, id)
        WHERE status = 'pending';
      -- Retention: whether a delivery still refers to an event (and the cascade when an event goes).
      CREATE INDEX webhook_deliveries_event ON webhook_deliveries (workspace_id, event_id);
      -- Retention: delivered notifications by age.
      CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE status = 'delivered';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE webhook_deliveries; DROP SEQUENCE webhook_deliveries_id_seq;
      DROP TABLE webhook_events; DROP SEQUENCE webhook_events_id_seq;
      DROP TABLE webhook_subscriptions; DROP SEQUENCE webhook_subscriptions_id_seq;
    `);
  }
}
