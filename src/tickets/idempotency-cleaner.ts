import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TicketsRepository } from './tickets.repository';

const EVERY_MS = 10 * 60 * 1000;

/**
 * Deletes expired Idempotency-Key records (kept 24 h) every 10 minutes, in bounded batches. Expired records
 * are already ignored by lookups, so this only keeps the table small; any instance may run it.
 */
@Injectable()
export class IdempotencyCleaner implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleaner.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.runOnce().catch((error: unknown) => this.warn(error)), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes every expired record now; returns how many. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.tickets.deleteExpiredResponses(this.dataSource.manager);
      total += deleted;
      if (deleted < 1000) return total;
    }
  }

  private warn(error: unknown): void {
    this.logger.warn(`idempotency cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
