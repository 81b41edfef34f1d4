import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/prepare-database';
import { freePort } from './server-process';

/**
 * One database for the whole run: TEST_DATABASE_URL when set (its public schema is wiped first), otherwise
 * an embedded PostgreSQL in a temporary directory on a free port. Tests isolate themselves by workspace.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  // The CLI specs run the compiled CLI as a real process.
  execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });

  let url = process.env.TEST_DATABASE_URL;
  if (url) {
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await client.end();
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'tickets-test-'));
    // As root, embedded-postgres runs the server as user `postgres`, which must be able to enter the dir.
    chmodSync(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: 'tickets_test',
    });
    url = embedded.url;
    (globalThis as { __EMBEDDED__?: { stop: () => Promise<void>; dataDir: string } }).__EMBEDDED__ = {
      stop: embedded.stop,
      dataDir,
    };
    process.env.TEST_DATABASE_URL = url;
  }
  await runMigrations(url);
}
