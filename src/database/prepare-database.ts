import { type AppConfig } from '../config/config';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';

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
): Promise<PreparedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, applied: [], stop: async () => undefined };
  }
  log(`starting embedded PostgreSQL in ${config.dataDir}/pg on 127.0.0.1:${config.embeddedPgPort}`);
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const applied = await runMigrations(embedded.url);
  return { url: embedded.url, embedded: true, applied, stop: embedded.stop };
}

/** Applies pending migrations, each in its own transaction; returns their names. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = createDataSource(url, 1);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
