import { Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { preparedStatement, runPreparedOnPool } from '../database/prepared-statement';
import { WEBHOOKS_CHANGED_CHANNEL } from './webhook-channels';

/** A delivery this worker has leased, with what its attempt needs: the event, the subscription. */
export type ClaimedDelivery = {
  workspaceId: string;
  id: string;
  notificationId: string;
  subscriptionId: string;
  ticketId: string;
  topic: string;
  /** This attempt's number (1-based): counted when it is claimed, so the fence below is unique. */
  attempts: number;
  firstSentAt: Date;
  /** The subscription was disabled meanwhile: the claim failed it instead (no attempt is made). */
  subscriptionActive: boolean;
  event: { createdAt: Date; ticket: unknown; partsThrough: string | null; totalParts: number };
  subscription: { url: string; secret: string; version: string };
};

type ClaimRow = {
  workspace_id: string;
  id: string;
  notification_id: string;
  subscription_id: string;
  ticket_id: string;
  topic: string;
  attempts: number;
  first_sent_at: Date;
  active: boolean;
  event_created_at: Date;
  ticket: unknown;
  parts_through: string | null;
  total_parts: number;
  url: string;
  secret: string;
  version: string;
};

/**
 * Leases up to $1 due deliveries for worker $2 for $3 ms, in one statement; $4: only workspaces matching these
 * LIKE patterns (null: all). A delivery is due when it is pending, its time has come, nobody holds a live lease on it, and it heads
 * its chain: no earlier pending delivery of the same subscription and ticket (ids are drawn after the ticket's
 * row lock, so id order is commit order; a failed delivery no longer blocks). SKIP LOCKED lets workers claim
 * side by side without waiting for each other; a row another worker claimed since this statement's snapshot
 * is re-checked on its new version (its lease) and skipped.
 *
 * Claiming counts the attempt (`attempts + 1`) and stamps it, so the outcome can be fenced by (leased_by,
 * attempts): a worker whose lease ran out and whose delivery was claimed again cannot overwrite the newer
 * attempt. A delivery whose subscription was disabled after it was queued is failed here instead of attempted.
 *
 * The statement is the function `webhook_claim` (migrations/1764300000000-webhooks.ts), for its planner settings:
 * the claim walks the due index in order and stops at $1 heads, whatever the table's statistics say.
 */
const CLAIM = preparedStatement(
  'webhooks.claim',
  `SELECT workspace_id, id, notification_id, subscription_id, ticket_id, topic, attempts, first_sent_at, active,
          event_created_at, ticket, parts_through, total_parts, url, secret, version
     FROM webhook_claim($1::integer, $2::text, $3::float8, $4::text[])`,
);

/** The fence of every outcome: this worker's lease of this attempt ($1 workspace, $2 id, $3 worker, $4 attempt). */
const FENCE = `workspace_id = $1 AND id = $2 AND leased_by = $3 AND attempts = $4`;

/** A 2xx: delivered (also over a concurrent disable: the receiver has it). */
const RECORD_DELIVERED = preparedStatement(
  'webhooks.record_delivered',
  `UPDATE webhook_deliveries
      SET status = 'delivered', delivered_at = now(), last_status = $5, last_error = NULL,
          lease_until = NULL, leased_by = NULL
    WHERE ${FENCE}`,
);

/**
 * Any other answer, or none: pending again after $5 ms, or failed when that is past the notification's
 * retry window ($6 ms from its creation). Only while still pending (a 410 elsewhere may have failed it).
 */
const RECORD_RETRY = preparedStatement(
  'webhooks.record_retry',
  `UPDATE webhook_deliveries
      SET status = CASE WHEN now() + make_interval(secs => $5::float8 / 1000)
                               > created_at + make_interval(secs => $6::float8 / 1000)
                        THEN 'failed' ELSE 'pending' END,
          next_attempt_at = now() + make_interval(secs => $5::float8 / 1000),
          last_status = $7, last_error = $8, lease_until = NULL, leased_by = NULL
    WHERE ${FENCE} AND status = 'pending'
   RETURNING status, next_attempt_at`,
);

/**
 * A 410 Gone: this delivery fails, its subscription is disabled (active = false, with the reason), and every
 * other pending delivery of it is failed ("stops"), in one statement, which also announces the change.
 */
const RECORD_GONE = preparedStatement(
  'webhooks.record_gone',
  `WITH current AS (
     UPDATE webhook_deliveries
        SET status = 'failed', last_status = 410, last_error = $5, lease_until = NULL, leased_by = NULL
      WHERE ${FENCE} AND status = 'pending'
     RETURNING workspace_id, subscription_id
   ), disabled AS (
     UPDATE webhook_subscriptions s SET active = false, disabled_reason = $6
       FROM current c
      WHERE s.workspace_id = c.workspace_id AND s.id = c.subscription_id AND s.active
     RETURNING s.workspace_id, s.id
   ), stopped AS (
     UPDATE webhook_deliveries d
        SET status = 'failed', last_error = $7, lease_until = NULL, leased_by = NULL
       FROM disabled s
      WHERE d.workspace_id = s.workspace_id AND d.subscription_id = s.id AND d.status = 'pending' AND d.id <> $2
     RETURNING 1
   ), notified AS (
     SELECT pg_notify('${WEBHOOKS_CHANGED_CHANNEL}',
                      json_build_object('change', 'disabled', 'workspace_id', workspace_id,
                                        'subscription_id', id::text)::text)
       FROM disabled
   )
   SELECT (SELECT count(*) FROM current)::int AS recorded, (SELECT count(*) FROM disabled)::int AS disabled,
          (SELECT count(*) FROM stopped)::int AS stopped, (SELECT count(*) FROM notified)::int AS notified`,
);

/** Delivered notifications older than $1 days, at most $2 of them. */
const DELETE_DELIVERED = preparedStatement(
  'webhooks.delete_delivered',
  `DELETE FROM webhook_deliveries WHERE ctid IN (
     SELECT ctid FROM webhook_deliveries
      WHERE status = 'delivered' AND delivered_at < now() - make_interval(days => $1)
      LIMIT $2)`,
);

/** Events older than $1 days that no delivery refers to any more, at most $2 of them. */
const DELETE_UNREFERENCED_EVENTS = preparedStatement(
  'webhooks.delete_unreferenced_events',
  `DELETE FROM webhook_events WHERE ctid IN (
     SELECT e.ctid FROM webhook_events e
      WHERE e.created_at < now() - make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                         WHERE d.workspace_id = e.workspace_id AND d.event_id = e.id)
      LIMIT $2)`,
);

/**
 * For the gauges: pending notifications, and how long the oldest one a worker could take now (due, unleased,
 * heading its chain) has been waiting past its time: 0 while the workers keep up. $1: only workspaces matching
 * these LIKE patterns (null: all), as the claim.
 */
const QUEUE_STATS = preparedStatement(
  'webhooks.queue_stats',
  `SELECT (SELECT count(*) FROM webhook_deliveries
            WHERE status = 'pending' AND ($1::text[] IS NULL OR workspace_id LIKE ANY ($1::text[])))::float8 AS pending,
          coalesce((SELECT extract(epoch FROM now() - d.next_attempt_at)::float8
                      FROM webhook_deliveries d
                     WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                       AND (d.lease_until IS NULL OR d.lease_until < now())
                       AND ($1::text[] IS NULL OR d.workspace_id LIKE ANY ($1::text[]))
                       AND NOT EXISTS (
                             SELECT 1 FROM webhook_deliveries p
                              WHERE p.workspace_id = d.workspace_id AND p.subscription_id = d.subscription_id
                                AND p.ticket_id = d.ticket_id AND p.status = 'pending' AND p.id < d.id)
                     ORDER BY d.next_attempt_at, d.id
                     LIMIT 1), 0) AS oldest_due_seconds`,
);

export type RetryRecord = { status: 'pending' | 'failed'; nextAttemptAt: Date };

/** The SQL of the delivery worker: each method one statement on a pool connection, outside any transaction. */
@Injectable()
export class WebhookDeliveriesRepository {
  async claim(
    dataSource: DataSource,
    workerId: string,
    limit: number,
    leaseMs: number,
    /** WEBHOOK_WORKER_WORKSPACES: ids, or prefixes ending in `*`; empty: every workspace. */
    workspaces: readonly string[],
  ): Promise<ClaimedDelivery[]> {
    const { rows } = await runPreparedOnPool<ClaimRow>(dataSource, CLAIM, [
      limit,
      workerId,
      leaseMs,
      patterns(workspaces),
    ]);
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      id: row.id,
      notificationId: row.notification_id,
      subscriptionId: row.subscription_id,
      ticketId: row.ticket_id,
      topic: row.topic,
      attempts: row.attempts,
      firstSentAt: row.first_sent_at,
      subscriptionActive: row.active,
      event: {
        createdAt: row.event_created_at,
        ticket: row.ticket,
        partsThrough: row.parts_through,
        totalParts: row.total_parts,
      },
      subscription: { url: row.url, secret: row.secret, version: row.version },
    }));
  }

  /** False when the fence no longer holds (another worker took the delivery over). */
  async recordDelivered(
    dataSource: DataSource,
    workerId: string,
    delivery: ClaimedDelivery,
    status: number,
  ): Promise<boolean> {
    const { rowCount } = await runPreparedOnPool(dataSource, RECORD_DELIVERED, [
      ...fence(workerId, delivery),
      status,
    ]);
    return rowCount === 1;
  }

  /** Null when the fence no longer holds, or the delivery is no longer pending. */
  async recordRetry(
    dataSource: DataSource,
    workerId: string,
    delivery: ClaimedDelivery,
    retry: { delayMs: number; windowMs: number; status: number | null; error: string },
  ): Promise<RetryRecord | null> {
    const { rows } = await runPreparedOnPool<{ status: 'pending' | 'failed'; next_attempt_at: Date }>(
      dataSource,
      RECORD_RETRY,
      [...fence(workerId, delivery), retry.delayMs, retry.windowMs, retry.status, retry.error],
    );
    return rows[0] ? { status: rows[0].status, nextAttemptAt: rows[0].next_attempt_at } : null;
  }

  /** How many other pending deliveries the disabled subscription had (null: fenced out, nothing changed). */
  async recordGone(
    dataSource: DataSource,
    workerId: string,
    delivery: ClaimedDelivery,
    messages: { error: string; reason: string; stopped: string },
  ): Promise<{ disabled: boolean; stopped: number } | null> {
    const { rows } = await runPreparedOnPool<{ recorded: number; disabled: number; stopped: number }>(
      dataSource,
      RECORD_GONE,
      [...fence(workerId, delivery), messages.error, messages.reason, messages.stopped],
    );
    return rows[0].recorded === 0 ? null : { disabled: rows[0].disabled > 0, stopped: rows[0].stopped };
  }

  async deleteDelivered(dataSource: DataSource, olderThanDays: number, batch: number): Promise<number> {
    const { rowCount } = await runPreparedOnPool(dataSource, DELETE_DELIVERED, [olderThanDays, batch]);
    return rowCount ?? 0;
  }

  async deleteUnreferencedEvents(
    dataSource: DataSource,
    olderThanDays: number,
    batch: number,
  ): Promise<number> {
    const { rowCount } = await runPreparedOnPool(dataSource, DELETE_UNREFERENCED_EVENTS, [
      olderThanDays,
      batch,
    ]);
    return rowCount ?? 0;
  }

  /** The queue of the workspaces `workspaces` names (WEBHOOK_WORKER_WORKSPACES; empty: all). */
  async queueStats(
    dataSource: DataSource,
    workspaces: readonly string[],
  ): Promise<{ pending: number; oldestDueSeconds: number }> {
    const { rows } = await runPreparedOnPool<{ pending: number; oldest_due_seconds: number }>(
      dataSource,
      QUEUE_STATS,
      [patterns(workspaces)],
    );
    return { pending: rows[0].pending, oldestDueSeconds: Math.max(0, rows[0].oldest_due_seconds) };
  }
}

/** WEBHOOK_WORKER_WORKSPACES as LIKE patterns (an id, or a prefix when it ends in `*`); null: every workspace. */
function patterns(workspaces: readonly string[]): string[] | null {
  if (workspaces.length === 0) return null;
  return workspaces.map((entry) => {
    const prefix = entry.endsWith('*');
    const text = (prefix ? entry.slice(0, -1) : entry).replace(/[\\%_]/g, (char) => `\\${char}`);
    return prefix ? `${text}%` : text;
  });
}

function fence(workerId: string, delivery: ClaimedDelivery): unknown[] {
  return [delivery.workspaceId, delivery.id, workerId, delivery.attempts];
}
