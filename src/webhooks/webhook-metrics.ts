import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import type { AttemptResult } from './webhook-sender';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

/** What became of an attempt: delivered (2xx), retry (pending again), failed (given up), disabled (410). */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'disabled';

/**
 * The delivery worker's metrics, in the process's registry (registered where a worker runs: the API with its
 * in-process worker, or `npm run worker`). The two gauges read the queue when scraped: one statement on the
 * partial index of pending deliveries, over the workspaces this worker serves (WEBHOOK_WORKER_WORKSPACES).
 */
@Injectable()
export class WebhookMetrics {
  private readonly logger = new Logger('Webhooks');

  private readonly outcomes: Counter<'topic' | 'outcome'>;
  private readonly attempts: Counter<'result'>;
  private readonly duration: Histogram<'result'>;

  constructor(
    metrics: MetricsService,
    @InjectDataSource() dataSource: DataSource,
    repository: WebhookDeliveriesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const registers = [metrics.registry];
    this.outcomes = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Notification attempts by topic and what became of the notification (delivered, retry, failed, disabled)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    });
    this.attempts = new Counter({
      name: 'webhook_delivery_attempts_total',
      help: 'HTTP attempts by result: the status class (2xx, 3xx, 4xx, 5xx) or the error code (ETIMEDOUT, ...)',
      labelNames: ['result'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'webhook_delivery_attempt_duration_seconds',
      help: 'Duration of HTTP attempts (rendering, connecting, sending, the answer) by result',
      labelNames: ['result'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    // Read once per scrape for both gauges; a scrape while the database is away keeps the last values.
    let stats: Promise<{ pending: number; oldestDueSeconds: number } | null> | null = null;
    const read = () => {
      stats ??= repository
        .queueStats(dataSource, config.webhookWorkerWorkspaces)
        .catch((error: unknown) => {
          this.logger.warn(
            `webhook queue gauges not read: ${error instanceof Error ? error.message : String(error)}`,
          );
          return null;
        })
        .finally(() => setImmediate(() => (stats = null)));
      return stats;
    };
    new Gauge({
      name: 'webhook_deliveries_pending',
      help: 'Notifications waiting to be delivered (queue depth), retries included',
      registers,
      async collect() {
        const current = await read();
        if (current) this.set(current.pending);
      },
    });
    new Gauge({
      name: 'webhook_oldest_due_seconds',
      help: 'How long the oldest notification a worker could send now has been due (0: the workers keep up)',
      registers,
      async collect() {
        const current = await read();
        if (current) this.set(current.oldestDueSeconds);
      },
    });
  }

  outcome(topic: string, outcome: DeliveryOutcome): void {
    this.outcomes.inc({ topic, outcome });
  }

  attempt(result: AttemptResult, seconds: number): void {
    const label = result.kind === 'answered' ? `${Math.floor(result.status / 100)}xx` : result.code;
    this.attempts.inc({ result: label });
    this.duration.observe({ result: label }, seconds);
  }
}
