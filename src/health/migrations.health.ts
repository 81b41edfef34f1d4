import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource, MigrationExecutor } from 'typeorm';

/**
 * Down while any migration shipped with this build is not applied: the code would query columns that do
 * not exist yet. Read-only, unlike `DataSource.showMigrations()`, which creates the migrations table.
 */
@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async pendingCheck<const Key extends string>(key: Key, options: { timeout: number }) {
    const check = this.health.check(key);
    let pending: string[];
    try {
      const migrations = await withTimeout(
        new MigrationExecutor(this.dataSource).getPendingMigrations(),
        options.timeout,
      );
      pending = migrations.map((migration) => migration.name);
    } catch {
      // The database ping beside this check says why; the probe is public, so no driver message here.
      return check.down({ message: 'could not read the applied migrations' });
    }
    return pending.length === 0 ? check.up() : check.down({ pending });
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout of ${ms}ms exceeded`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
