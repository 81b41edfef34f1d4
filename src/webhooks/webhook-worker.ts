import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PgListener } from '../database/pg-listener';
import type { DataSource } from 'typeorm';
import { atLeast, parseVersion, TICKETS_SINCE } from '../common/versioning/versions';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { databaseErrorCode } from '../database/database-errors';
import { toTicketResponse } from '../tickets/ticket.mapper';
import { viewFromSnapshot } from '../tickets/ticket-snapshot';
import { TicketsRepository } from '../tickets/tickets.repository';
import { notificationBody } from './notification-envelope';
import { retryAfterMs, retryDelayMs, retryWindowMs } from './retry-schedule';
import { WEBHOOK_DELIVERIES_CHANNEL } from './webhook-channels';
import { type ClaimedDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookMetrics } from './webhook-metrics';
import { ATTEMPT_TIMEOUT_MS, type AttemptResult, sendNotification } from './webhook-sender';
import { signatureHeaders } from './webhook-signature';

const USER_AGENT = 'intercom-tickets-service-webhooks/1';
/** On shutdown, attempts in flight get their timeout and a moment to record the outcome; then their lease. */
const STOP_GRACE_MS = ATTEMPT_TIMEOUT_MS + 2_000;

/**
 * The delivery worker (BEHAVIOUR.md §7; README "Webhooks"): a lease-based poller over webhook_deliveries.
 *
 * It claims due deliveries in one statement (WebhookDeliveriesRepository.claim: each the head of its
 * subscription-and-ticket chain, leased for WEBHOOK_LEASE_MS), renders and POSTs each outside any transaction,
 * at most WEBHOOK_CONCURRENCY at once, and records the outcome fenced by its lease. It wakes on
 * NOTIFY webhook_deliveries (sent by every transaction that queues deliveries), on its own retries falling due,
 * when an attempt ends, and every WEBHOOK_POLL_INTERVAL_MS whatever happens, so a notification lost while the
 * listening connection was down costs at most one interval. Any number of workers, in any number of processes,
 * share the table: SKIP LOCKED and the lease keep each notification with one of them, and a worker that dies
 * mid-attempt leaves its lease to run out, after which another worker tries again.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  /** leased_by: which process (and which worker in it) holds a lease. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger('Webhooks');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private wakeRequested = false;
  private readonly listener: PgListener;
  private databaseDown = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly tickets: TicketsRepository,
    @Optional() private readonly metrics?: WebhookMetrics,
  ) {
    this.listener = new PgListener(
      {
        url: (dataSource.options as { url?: string }).url,
        channel: WEBHOOK_DELIVERIES_CHANNEL,
        applicationName: `intercom-tickets-service webhooks ${process.pid}`,
      },
      {
        notification: () => this.wakeUp(),
        listening: (again) => {
          if (again) this.logger.log('webhook worker: listening again');
          // Whatever was queued while nobody listened.
          this.wakeUp();
        },
        lost: (error, first) => {
          if (!first) return;
          this.logger.warn(
            `webhook worker: notifications lost (${error?.message ?? 'connection ended'}); ` +
              `polling every ${this.config.webhookPollIntervalMs} ms until they are back`,
          );
        },
      },
    );
  }

  onApplicationBootstrap(): void {
    this.logger.log(
      `webhook worker ${this.id}: ${this.config.webhookConcurrency} at a time, lease ${this.config.webhookLeaseMs} ms`,
    );
    void this.listener.start();
    this.loop = this.run();
  }

  /** Stops claiming, lets attempts in flight finish (within their timeout), and closes the listener. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
    for (const timer of this.retryTimers) clearTimeout(timer);
    await this.loop;
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS))),
    ]);
    clearTimeout(grace);
    await this.listener.stop();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const free = this.config.webhookConcurrency - this.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const batch = await this.deliveries.claim(
            this.dataSource,
            this.id,
            free,
            this.config.webhookLeaseMs,
            this.config.webhookWorkerWorkspaces,
          );
          this.databaseBack();
          claimed = batch.length;
          for (const delivery of batch) this.track(this.attempt(delivery));
        } catch (error) {
          this.databaseTrouble(error);
        }
      }
      if (this.stopped) break;
      // A full batch may leave more due right away; otherwise wait for news (or the next poll).
      if (free === 0 || claimed < free) await this.sleep(this.config.webhookPollIntervalMs);
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      // A slot is free, and the chain behind a delivered notification may be due now.
      this.wakeUp();
    });
  }

  /** One attempt, start to finish; never throws (a failure to record leaves the delivery to its lease). */
  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    if (!delivery.subscriptionActive) {
      this.metrics?.outcome(delivery.topic, 'disabled');
      return;
    }
    const started = performance.now();
    let result: AttemptResult;
    try {
      const body = await this.render(delivery);
      const timestamp = Math.floor(Date.now() / 1000);
      result = await sendNotification(
        delivery.subscription.url,
        body,
        signatureHeaders(delivery.subscription.secret, delivery.notificationId, timestamp, body),
        { allowPrivate: this.config.webhookAllowPrivateUrls, userAgent: USER_AGENT },
      );
    } catch (error) {
      // Rendering failed (the database, most likely): retried like a receiver's failure.
      const code = databaseErrorCode(error) ?? (error instanceof Error ? error.name : 'Error');
      result = { kind: 'failed', code: `EINTERNAL ${code}` };
    }
    this.metrics?.attempt(result, (performance.now() - started) / 1000);
    try {
      await this.record(delivery, result);
    } catch (error) {
      this.logger.warn(
        `notification ${delivery.notificationId}: outcome not recorded ` +
          `(${databaseErrorCode(error) ?? (error instanceof Error ? error.message : String(error))}); ` +
          'it is attempted again once its lease runs out',
      );
    }
  }

  /** The ticket as the event left it, in the subscription's version, in Intercom's envelope. */
  private async render(delivery: ClaimedDelivery): Promise<Buffer> {
    const version = parseVersion(delivery.subscription.version);
    if (version === null || !atLeast(version, TICKETS_SINCE)) {
      throw new Error(`subscription version ${delivery.subscription.version} is not served`);
    }
    const { event } = delivery;
    const parts = await this.tickets.findPartsThrough(
      this.dataSource,
      delivery.workspaceId,
      delivery.ticketId,
      event.partsThrough,
    );
    const view = viewFromSnapshot(event.ticket, event.createdAt, parts, event.totalParts);
    return notificationBody(delivery, toTicketResponse(view, version));
  }

  private async record(delivery: ClaimedDelivery, result: AttemptResult): Promise<void> {
    const what = describe(result);
    if (result.kind === 'answered' && result.status >= 200 && result.status < 300) {
      if (await this.deliveries.recordDelivered(this.dataSource, this.id, delivery, result.status)) {
        this.metrics?.outcome(delivery.topic, 'delivered');
      }
      return;
    }
    if (result.kind === 'answered' && result.status === 410) {
      const gone = await this.deliveries.recordGone(this.dataSource, this.id, delivery, {
        error: what,
        reason: `the receiver answered 410 Gone to ${delivery.notificationId}`,
        stopped: 'subscription disabled (the receiver answered 410 Gone)',
      });
      if (!gone) return;
      this.metrics?.outcome(delivery.topic, 'disabled');
      this.logger.warn(
        `${this.attemptLine(delivery, what)}; subscription ${delivery.subscriptionId} disabled` +
          (gone.stopped > 0 ? `, ${gone.stopped} other pending notification(s) of it failed` : ''),
      );
      return;
    }
    const scale = this.config.webhookRetryScale;
    const delayMs =
      (result.kind === 'answered' && result.status === 429
        ? retryAfterMs(result.retryAfter, Date.now())
        : undefined) ?? retryDelayMs(delivery.attempts, scale);
    const retry = await this.deliveries.recordRetry(this.dataSource, this.id, delivery, {
      delayMs,
      windowMs: retryWindowMs(scale),
      status: result.kind === 'answered' ? result.status : null,
      error: what,
    });
    if (!retry) return;
    this.metrics?.outcome(delivery.topic, retry.status === 'pending' ? 'retry' : 'failed');
    this.logger.warn(
      `${this.attemptLine(delivery, what)}; ` +
        (retry.status === 'pending'
          ? `next attempt at ${retry.nextAttemptAt.toISOString()}`
          : 'failed: no more attempts (webhook redeliver sends it again)'),
    );
    if (retry.status === 'pending' && delayMs < this.config.webhookPollIntervalMs) this.wakeAfter(delayMs);
  }

  /** One line per failed attempt: ids and what happened, never the body, the URL or the secret. */
  private attemptLine(delivery: ClaimedDelivery, what: string): string {
    return (
      `webhook attempt ${delivery.attempts} of ${delivery.notificationId} failed (${what}): ` +
      `subscription ${delivery.subscriptionId}, workspace ${delivery.workspaceId}, ticket ${delivery.ticketId}, ` +
      `topic ${delivery.topic}`
    );
  }

  private wakeAfter(ms: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.wakeUp();
    }, ms);
    timer.unref();
    this.retryTimers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested || this.stopped) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private wakeUp(): void {
    if (this.wake) this.wake();
    else this.wakeRequested = true;
  }

  private databaseTrouble(error: unknown): void {
    if (this.databaseDown) return;
    this.databaseDown = true;
    this.logger.warn(
      `webhook worker cannot claim deliveries (${databaseErrorCode(error) ?? (error instanceof Error ? error.message : String(error))}); ` +
        `trying again every ${this.config.webhookPollIntervalMs} ms`,
    );
  }

  private databaseBack(): void {
    if (!this.databaseDown) return;
    this.databaseDown = false;
    this.logger.log('webhook worker: claiming deliveries again');
  }
}

/** What last_error records of an attempt: the status (with the start of the answer) or the error code. */
function describe(result: AttemptResult): string {
  if (result.kind === 'failed') return result.code;
  const snippet = result.snippet
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .trim()
    .slice(0, 200);
  return `HTTP ${result.status}${snippet ? `: ${snippet}` : ''}`;
}
