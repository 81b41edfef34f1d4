import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

const EVERY_MS = 10 * 60 * 1000;
const BATCH = 1000;

/**
 * Deletes delivered notifications older than WEBHOOK_RETENTION_DAYS, then the events no notification refers to
 * any more, in bounded batches, every 10 minutes (like tickets/idempotency-cleaner.ts); it runs wherever a
 * delivery worker runs, and any number of them may. Failed notifications are kept (listed and redeliverable)
 * until their subscription is deleted.
 */
@Injectable()
export class WebhookRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch((error: unknown) => this.warn(error)), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes everything past retention now; returns how many notifications and events. */
  async runOnce(): Promise<{ deliveries: number; events: number }> {
    const days = this.config.webhookRetentionDays;
    let deliveries = 0;
    for (;;) {
      const deleted = await this.deliveries.deleteDelivered(this.dataSource, days, BATCH);
      deliveries += deleted;
      if (deleted < BATCH) break;
    }
    let events = 0;
    for (;;) {
      const deleted = await this.deliveries.deleteUnreferencedEvents(this.dataSource, days, BATCH);
      events += deleted;
      if (deleted < BATCH) break;
    }
    return { deliveries, events };
  }

  private warn(error: unknown): void {
    this.logger.warn(`webhook retention failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
