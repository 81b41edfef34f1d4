import { MigrationExecutor } from 'typeorm';
import { type AppConfig } from '../config/config';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';
import { connectionFailure, describeDatabaseUrl, StartupError } from './startup-error';

export type PreparedDatabase = {
  url: string;
  embedded: boolean;
  /** Migrations this call applied (the embedded database is migrated here; DATABASE_URL is not). */
  applied: string[];
  /** Stops the embedded cluster if this process started it. */
  stop: () => Promise<void>;
};

/**
 * The database the server and the CLI use: `DATABASE_URL`, or the embedded PostgreSQL under `DATA_DIR`,
 * whose migrations are applied here (with `DATABASE_URL`, `npm run migration:run` does that).
 */
export async function prepareDatabase(
  config: AppConfig,
  log: (line: string) => void,
  options: { requireMigrated: boolean } = { requireMigrated: true },
): Promise<PreparedDatabase> {
  if (config.databaseUrl) {
    const pending = await pendingMigrations(config.databaseUrl);
    // Decided (README "Configuration"): a server on an unmigrated database would answer every update with
    // 500, so it refuses to start instead. A migration shipped while it runs only turns readiness to 503.
    if (options.requireMigrated && pending.length > 0) {
      throw new StartupError(
        `DATABASE_URL (${describeDatabaseUrl(config.databaseUrl)}) has ${pending.length} pending ` +
          `migration(s) (${pending.join(', ')}): run \`npm run migration:run\` first`,
      );
    }
    return { url: config.databaseUrl, embedded: false, applied: [], stop: async () => undefined };
  }
  log(`starting embedded PostgreSQL in ${config.dataDir}/pg on 127.0.0.1:${config.embeddedPgPort}`);
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const applied = await runMigrations(embedded.url);
  return { url: embedded.url, embedded: true, applied, stop: embedded.stop };
}

/** Applies pending migrations, each in its own transaction; returns their names. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource(url, [], 1);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Connects once and lists the migrations of this build not yet applied; a connection failure becomes one
 * line naming DATABASE_URL's host, port and database. Read-only (no migrations table is created).
 */
async function pendingMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource(url, [], 1);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw connectionFailure(error, url);
  }
  try {
    const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
    return pending.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
