import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  // The in-process webhook worker only where a test asks for it: tests share one database, and a worker
  // started by another file's app would take (and deliver) that file's notifications.
  const config = loadConfig({
    LOG_LEVEL: 'fatal',
    LOG_FORMAT: 'json',
    WEBHOOK_WORKER_ENABLED: 'false',
    ...env,
  });
  const app = await createApp({ ...config, databaseUrl: testDatabaseUrl(), logDestination });
  await app.init();
  // Nest buffers its own log lines (bufferLogs) until listen(); an app that never listens would keep them.
  app.flushLogs();
  const db = new Pool({ connectionString: testDatabaseUrl(), max: 4 });
  return {
    app,
    http: app.getHttpServer(),
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

export type AppOptions = {
  /** Extra environment for loadConfig; a function for one that needs a value found at setup (a free port). */
  env?: NodeJS.ProcessEnv | (() => Promise<NodeJS.ProcessEnv>);
  /** Where the app's pino logger writes (a test that asserts on log lines collects them). */
  logDestination?: DestinationStream;
  /** Also listen on a real socket on 127.0.0.1, for clients that need a URL or a port (`ctx.port`, `ctx.baseUrl`). */
  listen?: boolean;
};

export type AppContext = {
  t: TestApp;
  /** Set only with `listen`. */
  port: number;
  /** `http://127.0.0.1:<port>`; set only with `listen`. */
  baseUrl: string;
};

/**
 * One app for the file (or the describe block it is called in), closed after its last test. Read `ctx.t`
 * inside tests and hooks (it is set by the beforeAll this registers, which runs before any hook registered
 * after this call).
 */
export function useApp(options: AppOptions = {}): AppContext {
  const ctx = {} as AppContext;
  beforeAll(async () => {
    const env = typeof options.env === 'function' ? await options.env() : options.env;
    ctx.t = await startApp(env, options.logDestination);
    if (options.listen) {
      await ctx.t.app.listen(0, '127.0.0.1');
      ctx.port = (ctx.t.http.address() as AddressInfo).port;
      ctx.baseUrl = `http://127.0.0.1:${ctx.port}`;
    }
  });
  afterAll(() => ctx.t?.close());
  return ctx;
}

export type SeededAppOptions = AppOptions & {
  /** 'each' (the default): a fresh workspace for every test; 'once': one for the whole file. */
  seed?: 'each' | 'once';
};

/**
 * The usual e2e setup: one app for the file and what `seed` returns (a seeded workspace, or several), fresh
 * for each test unless `seed: 'once'`. Read `ctx.t` and `ctx.ws` inside tests (they are set by the hooks this
 * registers).
 */
export function useSeededApp<W = SeededWorkspace>(
  seed: () => Promise<W>,
  options: SeededAppOptions = {},
): AppContext & { ws: W } {
  const ctx = useApp(options) as AppContext & { ws: W };
  const seedIt = async () => {
    ctx.ws = await seed();
  };
  if (options.seed === 'once') beforeAll(seedIt);
  else beforeEach(seedIt);
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
