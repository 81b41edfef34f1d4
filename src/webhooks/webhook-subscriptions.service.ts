import type { DataSource, EntityManager } from 'typeorm';
import { isStoredId } from '../tickets/tickets.repository';
import type { TicketTopic } from '../tickets/notification-topics';
import { checkTopicsForVersion, parseSubscriptionVersion, WebhookInputError } from './subscription-input';
import { WEBHOOK_DELIVERIES_CHANNEL, WEBHOOKS_CHANGED_CHANNEL } from './webhook-channels';
import { generateSecret } from './webhook-signature';

/** A subscription as `webhook list` shows it: never its secret. */
export type SubscriptionListing = {
  id: string;
  url: string;
  topics: TicketTopic[];
  version: string;
  active: boolean;
  disabled_reason: string | null;
  created_at: string;
  deliveries: { pending: number; delivered: number; failed: number };
};

/** A notification as `webhook deliveries` shows it; times in ISO 8601 (UTC), null when none. */
export type DeliveryListing = {
  id: string;
  subscription_id: string;
  ticket_id: string;
  topic: string;
  status: string;
  attempts: number;
  first_sent_at: string | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  /** Only while pending. */
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
};

const PAGE = 1000;

/**
 * The `webhook` commands of the CLI (OPERATING.md): subscriptions and their notifications. Input that can be
 * checked without the database (URL, topics, an explicit version) is checked by the caller first
 * (subscription-input.ts); what needs the database is checked here, inside the writing transaction, so a
 * refused command writes nothing. Every change announces itself on WEBHOOKS_CHANGED_CHANNEL when it commits.
 */
export class WebhookSubscriptionsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Subscribes `url` to `topics` in `version` (default: the workspace's default version) with a new secret,
   * and returns the id and the secret: the only time the secret is shown.
   */
  async create(
    workspaceId: string,
    url: string,
    topics: TicketTopic[],
    version: string | undefined,
  ): Promise<{ id: string; secret: string }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { default_intercom_version: string }[] = await manager.query(
        `SELECT default_intercom_version FROM workspaces WHERE workspace_id = $1 FOR SHARE`,
        [workspaceId],
      );
      if (!rows[0]) throw unknownWorkspace(workspaceId);
      const resolved =
        version !== undefined
          ? parseSubscriptionVersion(version, '--version')
          : parseSubscriptionVersion(
              rows[0].default_intercom_version,
              `workspace ${JSON.stringify(workspaceId)}'s default version (pass --version)`,
            );
      checkTopicsForVersion(topics, resolved);
      const secret = generateSecret();
      const created: { id: string }[] = await manager.query(
        `INSERT INTO webhook_subscriptions (workspace_id, url, topics, version, secret)
         VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
        [workspaceId, url, topics, resolved, secret],
      );
      await announce(manager, {
        change: 'created',
        workspace_id: workspaceId,
        subscription_id: created[0].id,
      });
      return { id: created[0].id, secret };
    });
  }

  async list(workspaceId: string): Promise<SubscriptionListing[]> {
    await this.assertWorkspace(workspaceId);
    const rows: {
      id: string;
      url: string;
      topics: TicketTopic[];
      version: string;
      active: boolean;
      disabled_reason: string | null;
      created_at: Date;
      pending: number;
      delivered: number;
      failed: number;
    }[] = await this.dataSource.query(
      `SELECT s.id::text, s.url, s.topics, s.version, s.active, s.disabled_reason, s.created_at,
              count(d.id) FILTER (WHERE d.status = 'pending')::int AS pending,
              count(d.id) FILTER (WHERE d.status = 'delivered')::int AS delivered,
              count(d.id) FILTER (WHERE d.status = 'failed')::int AS failed
         FROM webhook_subscriptions s
         LEFT JOIN webhook_deliveries d ON d.workspace_id = s.workspace_id AND d.subscription_id = s.id
        WHERE s.workspace_id = $1
        GROUP BY s.workspace_id, s.id
        ORDER BY s.id`,
      [workspaceId],
    );
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      topics: row.topics,
      version: row.version,
      active: row.active,
      disabled_reason: row.disabled_reason,
      created_at: row.created_at.toISOString(),
      deliveries: { pending: row.pending, delivered: row.delivered, failed: row.failed },
    }));
  }

  /** Deletes a subscription and its notifications; returns its workspace. */
  async delete(id: string): Promise<{ workspaceId: string; dropped: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { workspace_id: string; pending: number }[] = isStoredId(id)
        ? await manager.query(
            // A SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count].
            `WITH deleted AS (
               DELETE FROM webhook_subscriptions s WHERE s.id = $1
               RETURNING s.workspace_id,
                         (SELECT count(*) FROM webhook_deliveries d
                           WHERE d.workspace_id = s.workspace_id AND d.subscription_id = s.id
                             AND d.status = 'pending')::int AS pending
             )
             SELECT workspace_id, pending FROM deleted`,
            [id],
          )
        : [];
      if (!rows[0]) throw new WebhookInputError(`subscription ${JSON.stringify(id)} not found`);
      await announce(manager, { change: 'deleted', workspace_id: rows[0].workspace_id, subscription_id: id });
      return { workspaceId: rows[0].workspace_id, dropped: rows[0].pending };
    });
  }

  /** The workspace's notifications in commit order (id), a page at a time; only failed ones with `failedOnly`. */
  async *deliveries(workspaceId: string, failedOnly: boolean): AsyncGenerator<DeliveryListing> {
    await this.assertWorkspace(workspaceId);
    let after = '0';
    for (;;) {
      const rows: (Omit<DeliveryListing, `${string}_at`> & {
        key: string;
        first_sent_at: Date | null;
        last_attempt_at: Date | null;
        next_attempt_at: Date;
        delivered_at: Date | null;
        created_at: Date;
      })[] = await this.dataSource.query(
        `SELECT d.id::text AS key, d.notification_id AS id, d.subscription_id::text, d.ticket_id::text, d.topic,
                d.status, d.attempts, d.first_sent_at, d.last_attempt_at, d.last_status, d.last_error,
                d.next_attempt_at, d.delivered_at, d.created_at
           FROM webhook_deliveries d
          WHERE d.workspace_id = $1 AND d.id > $2 AND ($3 = false OR d.status = 'failed')
          ORDER BY d.id
          LIMIT ${PAGE}`,
        [workspaceId, after, failedOnly],
      );
      for (const row of rows) {
        yield {
          id: row.id,
          subscription_id: row.subscription_id,
          ticket_id: row.ticket_id,
          topic: row.topic,
          status: row.status,
          attempts: row.attempts,
          first_sent_at: iso(row.first_sent_at),
          last_attempt_at: iso(row.last_attempt_at),
          last_status: row.last_status,
          last_error: row.last_error,
          next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
          delivered_at: iso(row.delivered_at),
          created_at: row.created_at.toISOString(),
        };
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].key;
    }
  }

  /**
   * Queues a failed notification again: pending, due now, the same id; its attempts keep counting. Anything
   * but a failed notification of an active subscription is refused with what it is.
   */
  async redeliver(notificationId: string): Promise<{ workspaceId: string; attempts: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: {
        workspace_id: string;
        id: string;
        status: string;
        attempts: number;
        subscription_id: string;
        active: boolean;
        disabled_reason: string | null;
        next_attempt_at: Date;
        delivered_at: Date | null;
      }[] = await manager.query(
        `SELECT d.workspace_id, d.id::text, d.status, d.attempts, d.subscription_id::text, s.active,
                s.disabled_reason, d.next_attempt_at, d.delivered_at
           FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.workspace_id = d.workspace_id AND s.id = d.subscription_id
          WHERE d.notification_id = $1
            FOR UPDATE OF d`,
        [notificationId],
      );
      const row = rows[0];
      const name = JSON.stringify(notificationId);
      if (!row) throw new WebhookInputError(`notification ${name} not found`);
      if (row.status === 'pending') {
        throw new WebhookInputError(
          `notification ${name} is pending (${row.attempts} attempt(s) made, next at ` +
            `${row.next_attempt_at.toISOString()}): only a failed notification can be redelivered`,
        );
      }
      if (row.status === 'delivered') {
        throw new WebhookInputError(
          `notification ${name} was delivered (at ${iso(row.delivered_at)}): only a failed notification ` +
            'can be redelivered',
        );
      }
      if (!row.active) {
        throw new WebhookInputError(
          `notification ${name} belongs to subscription ${row.subscription_id}, which is disabled ` +
            `(${row.disabled_reason ?? 'no reason recorded'}): it would not be sent; subscribe again ` +
            '(webhook create) to receive notifications',
        );
      }
      await manager.query(
        `UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), lease_until = NULL, leased_by = NULL
          WHERE workspace_id = $1 AND id = $2`,
        [row.workspace_id, row.id],
      );
      await announce(manager, {
        change: 'redelivered',
        workspace_id: row.workspace_id,
        subscription_id: row.subscription_id,
        notification_id: notificationId,
      });
      // Wakes the workers, as the update's outbox does (they read no payload; the workspace tells a reader why).
      await manager.query(`SELECT pg_notify('${WEBHOOK_DELIVERIES_CHANNEL}', $1)`, [row.workspace_id]);
      return { workspaceId: row.workspace_id, attempts: row.attempts };
    });
  }

  private async assertWorkspace(workspaceId: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM workspaces WHERE workspace_id = $1`, [
      workspaceId,
    ]);
    if (rows.length === 0) throw unknownWorkspace(workspaceId);
  }
}

function unknownWorkspace(workspaceId: string): WebhookInputError {
  return new WebhookInputError(`--workspace: workspace ${JSON.stringify(workspaceId)} not found`);
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** NOTIFY webhooks_changed, delivered when (and only if) the transaction commits. */
async function announce(manager: EntityManager, change: Record<string, string>): Promise<void> {
  await manager.query(`SELECT pg_notify('${WEBHOOKS_CHANGED_CHANNEL}', $1)`, [JSON.stringify(change)]);
}
