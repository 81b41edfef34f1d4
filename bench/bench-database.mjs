/* global process, URL */
/**
 * A fresh, migrated database for one benchmark run, removed afterwards:
 *   - BENCH_DATABASE_URL (or DATABASE_URL) set: a new database `tickets_bench_<pid>_<time>` is created on
 *     that server (the database the URL names is only used to issue CREATE/DROP DATABASE; it is never
 *     written to) and dropped at the end;
 *   - otherwise: the embedded PostgreSQL (the dev dependency the service uses without DATABASE_URL) in a
 *     temporary directory on a free port, stopped and deleted at the end.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { startEmbeddedPostgres } = require('../dist/src/database/embedded-postgres.js');
const { runMigrations } = require('../dist/src/database/prepare-database.js');

export async function freshDatabase(log = () => undefined) {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `tickets_bench_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    log(`created database ${name} on ${url.host}`);
    const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    try {
      await runMigrations(url.href);
    } catch (error) {
      await drop();
      throw error;
    }
    return {
      url: url.href,
      kind: 'DATABASE_URL',
      description: `${url.host}, database ${name}`,
      dispose: drop,
    };
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'tickets-bench-'));
  // As root, embedded-postgres runs the server as user `postgres`, which must be able to enter the dir.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  log(`starting embedded PostgreSQL in ${dataDir} on 127.0.0.1:${port}`);
  let embedded;
  try {
    embedded = await startEmbeddedPostgres({ dataDir, port, database: 'tickets_bench' });
    await runMigrations(embedded.url);
  } catch (error) {
    if (embedded) await embedded.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: embedded.url,
    kind: 'embedded',
    description: `embedded PostgreSQL on 127.0.0.1:${port} (${dataDir})`,
    dispose: async () => {
      try {
        await embedded.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
