import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { Pool } from 'pg';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import type { SeededWorkspace } from './factories';

export type TestApp = {
  app: INestApplication;
  http: Server;
  /** A plain pg pool for asserting what the requests left in the database. */
  db: Pool;
  close: () => Promise<void>;
};

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the e2e specs through jest (global setup)');
  return url;
}

/** Boots the real AppModule in-process against the test database. */
export async function startApp(
  env: NodeJS.ProcessEnv = {},
  logDestination?: DestinationStream,
): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'fatal', LOG_FORMAT: 'json', ...env });
  const app = await createApp({ ...config, databaseUrl: testDatabaseUrl(), logDestination });
  await app.init();
  const db = new Pool({ connectionString: testDatabaseUrl(), max: 4 });
  return {
    app,
    http: app.getHttpServer() as Server,
    db,
    close: async () => {
      await app.close();
      await db.end();
    },
  };
}

/** PUT /tickets/:id the way Intercom clients do (Bearer token, Intercom-Version 2.9, JSON). */
export function putTicket(
  http: Server,
  token: string,
  id: string,
  body: unknown = {},
  headers: Record<string, string> = {},
) {
  const req = request(http)
    .put(`/tickets/${id}`)
    .set('Authorization', `Bearer ${token}`)
    .set('Intercom-Version', '2.9')
    .set('Accept', '*/*');
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  return typeof body === 'string'
    ? req.set('Content-Type', 'application/json').send(body)
    : req.send(body as object);
}

/**
 * The usual e2e setup: one app for the file, a freshly seeded workspace for each test. Read `ctx.t` and
 * `ctx.ws` inside tests (they are set by the hooks this registers).
 */
export function useSeededApp(seed: () => Promise<SeededWorkspace>, env: NodeJS.ProcessEnv = {}) {
  const ctx = {} as { t: TestApp; ws: SeededWorkspace };
  beforeAll(async () => {
    ctx.t = await startApp(env);
  });
  afterAll(() => ctx.t.close());
  beforeEach(async () => {
    ctx.ws = await seed();
  });
  return ctx;
}

/**
 * Polls `probe` every 10 ms until it returns true and resolves with the milliseconds that took; throws
 * after `limitMs`. For effects that travel asynchronously (a NOTIFY reaching the token cache).
 */
export async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
