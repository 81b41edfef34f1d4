import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/config';
import { prepareDatabase, runMigrations } from './prepare-database';
import { StartupError } from './startup-error';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await prepareDatabase(config, () => undefined, { requireMigrated: false });
  try {
    const applied = database.embedded ? database.applied : await runMigrations(database.url);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError || error instanceof StartupError
      ? `${error.message}\n`
      : `migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
