import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { clusterDirectory, loadEmbeddedPostgres } from './embedded-postgres-access';
import { StartupError } from './startup-error';

export type EmbeddedDatabase = {
  url: string;
  /** Stops the cluster if this process started it; a no-op when it was already running. */
  stop: () => Promise<void>;
};

const USER = 'postgres';
// Only reachable on 127.0.0.1 and only for local development; not a secret.
const PASSWORD = 'postgres';
const DATABASE = 'intercom';

/**
 * Starts (or joins) the embedded PostgreSQL under `<dataDir>/pg`. The server and the CLI share it: whoever
 * comes second finds it running (postmaster.pid and an open port) and just connects (OPERATING.md).
 * `embedded-postgres` is a dev dependency: the container image never takes this path.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir, 'pg');
  const database = options.database ?? DATABASE;
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  const log = options.log ?? (() => undefined);

  const running = isRunning(databaseDir);
  const portTaken = await portOpen(options.port);
  if (running && portTaken) {
    await ensureDatabase(options.port, database);
    return { url, stop: async () => undefined };
  }
  if (portTaken) {
    throw new StartupError(
      `EMBEDDED_PG_PORT ${options.port}: another program listens on 127.0.0.1:${options.port}; ` +
        'stop it or set EMBEDDED_PG_PORT to a free port',
    );
  }

  const clusterDir = await clusterDirectory(databaseDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // embedded-postgres rejects with `undefined` when postgres exits early; its last FATAL line says why.
  let lastFatal = '';
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Needed when run as root (containers, CI): PostgreSQL refuses to run as root.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => {
      const fatal = /(?:FATAL|PANIC|ERROR):\s+(.*)/.exec(message);
      if (fatal) lastFatal = fatal[1].trim();
      log(message.trim());
    },
    onError: (error: unknown) => log(`embedded-postgres: ${String(error)}`),
  });
  if (!existsSync(resolve(clusterDir, 'PG_VERSION'))) {
    await mkdir(options.dataDir, { recursive: true });
    await pg.initialise().catch((error: unknown) => {
      // embedded-postgres puts initdb's whole stderr in one message; its `error:` line says why.
      const reason = /error: (.*)/.exec(error instanceof Error ? error.message : '')?.[1];
      throw new StartupError(`initdb failed in ${clusterDir}${reason ? `: ${reason.trim()}` : ''}`);
    });
  }
  await pg.start().catch(() => {
    throw new StartupError(
      `embedded PostgreSQL in ${clusterDir} did not start on 127.0.0.1:${options.port} (EMBEDDED_PG_PORT)` +
        (lastFatal ? `: ${lastFatal}` : ''),
    );
  });
  await ensureDatabase(options.port, database);
  return { url, stop: () => pg.stop() };
}

function isRunning(databaseDir: string): boolean {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } catch (error) {
    // Two processes may race to create it; the loser sees duplicate_database (42P04) and carries on.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}
