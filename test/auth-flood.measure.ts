import { request as httpRequest, Agent } from 'node:http';
import { Client } from 'pg';
import { generateToken } from '../src/auth/token-hash';
import { testDatabaseUrl, useApp } from './support/app';
import { IDS, seedWorkspace } from './support/factories';
import { freePort, type ServerProcess, sleep, spawnServer, waitUntilLive } from './support/server-process';

/*
 * Issue #9 point 9, measured (prints numbers, asserts nothing about speed). Not part of `npm test`; run
 * `npx jest --selectProjects e2e --testMatch "<rootDir>/test/auth-flood.measure.ts"`.
 * Token lookups (executions of the prepared statement auth.find_token, counted on node-postgres's
 * Client.query) per 1,000 bad-token requests, and another workspace's update p50 while a bad-token flood
 * runs from another client address (127.0.0.2; the load runs in the server's process, so the p50 mostly
 * shows event-loop sharing). "off" is the behaviour before issue #9: no negative cache, no limit.
 */

const CONFIGS = {
  off: { AUTH_NEGATIVE_CACHE_TTL_MS: '0', AUTH_FAILURE_LIMIT: '0' },
  'negative cache only': { AUTH_FAILURE_LIMIT: '0' },
  'limit only': { AUTH_NEGATIVE_CACHE_TTL_MS: '0' },
  'both (defaults)': {},
} as const;

let lookups = 0;
const query = Client.prototype.query as (...args: unknown[]) => unknown;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  const config = args[0] as { name?: string } | undefined;
  if (typeof config === 'object' && config?.name === 'auth.find_token') lookups++;
  return query.apply(this, args);
} as typeof Client.prototype.query;

type Sent = { status: number; ms: number };

function send(port: number, agent: Agent, token: string, body: string, localAddress?: string): Promise<Sent> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/tickets/${IDS.ticket}`,
        agent,
        localAddress,
        headers: {
          Authorization: `Bearer ${token}`,
          'Intercom-Version': '2.9',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The pace of the flood against the server process, in requests per second. */
const FLOOD_RATE = 400;

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

type Flooded = { quiet: number; flooded: number; floodSent: number; rate: number };

/**
 * A fresh workspace's update p50 over `updates` updates, quiet and then while 12 connections from 127.0.0.2
 * send distinct bad tokens (as fast as they are answered, or paced to `pace` requests/s in all).
 */
async function victimP50(port: number, agent: Agent, updates: number, pace?: number): Promise<Flooded> {
  const victim = await seedWorkspace();
  await sleep(500);
  const quiet: number[] = [];
  const flooded: number[] = [];
  const update = async (into: number[], i: number) => {
    const r = await send(port, agent, victim.token, JSON.stringify({ is_shared: i % 2 === 0 }));
    if (r.status !== 200) throw new Error(`victim got ${r.status}`);
    into.push(r.ms);
  };
  for (let i = 0; i < updates; i++) await update(quiet, i);
  let flooding = true;
  let floodSent = 0;
  const floodStart = performance.now();
  const flood = Array.from({ length: 12 }, async () => {
    for (let k = 1; flooding; k++) {
      await send(port, agent, generateToken(), '{}', '127.0.0.2');
      floodSent++;
      const wait = pace === undefined ? 0 : floodStart + (k * 12_000) / pace - performance.now();
      if (wait > 0) await sleep(wait);
    }
  });
  const started = Date.now();
  for (let i = 0; i < updates; i++) await update(flooded, i);
  flooding = false;
  await Promise.all(flood);
  const rate = Math.round((floodSent * 1000) / (Date.now() - started));
  return { quiet: p50(quiet), flooded: p50(flooded), floodSent, rate };
}

describe.each(Object.entries(CONFIGS))('bad-token flood, features %s', (name, env) => {
  const ctx = useApp({ env: { RATE_LIMIT_PER_10S: '1000000', ...env }, listen: true });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  afterAll(() => agent.destroy());

  it('measures', async () => {
    const counts: Record<string, number> = {};
    for (const [label, tokenFor, address] of [
      ['same bad token', () => 'tok_bad', '127.0.0.3'],
      ['distinct bad tokens', () => generateToken(), '127.0.0.4'],
    ] as const) {
      const before = lookups;
      const statuses: Record<number, number> = {};
      for (let i = 0; i < 1_000; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: 10 }, () => send(ctx.port, agent, tokenFor(), '{}', address)),
        );
        for (const r of batch) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
      counts[label] = lookups - before;
      console.log(
        `[${name}] ${label}: ${counts[label]} token lookups per 1,000 requests, statuses ${JSON.stringify(statuses)}`,
      );
    }

    const floodLookupsBefore = lookups;
    const { quiet, flooded, floodSent, rate } = await victimP50(ctx.port, agent, 150);
    console.log(
      `[${name}] victim update p50: quiet ${quiet.toFixed(1)} ms, during flood ${flooded.toFixed(1)} ms ` +
        `(flood ${rate} distinct bad-token requests/s from 127.0.0.2, ${floodSent} sent, ` +
        `${lookups - floodLookupsBefore} token lookups in all)`,
    );
  });
});

/** The same victim/flood p50, with the compiled server in its own process (the load stays in this one). */
describe.each([
  ['off', CONFIGS.off],
  ['both (defaults)', CONFIGS['both (defaults)']],
] as const)('bad-token flood against the server process, features %s', (name, env) => {
  let server: ServerProcess;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  beforeAll(async () => {
    port = await freePort();
    server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      LOG_LEVEL: 'fatal',
      LOG_FORMAT: 'json',
      RATE_LIMIT_PER_10S: '1000000',
      ...env,
    });
    await waitUntilLive(server, port);
  });
  afterAll(async () => {
    agent.destroy();
    server.child.kill('SIGTERM');
    await server.exit(15_000);
  });

  it('measures', async () => {
    // Paced, so that both configurations face the same flood: FLOOD_RATE requests/s over 12 connections.
    const { quiet, flooded, rate } = await victimP50(port, agent, 200, FLOOD_RATE);
    console.log(
      `[process, ${name}] victim update p50: quiet ${quiet.toFixed(1)} ms, during flood ` +
        `${flooded.toFixed(1)} ms (flood ${rate} distinct bad-token requests/s from 127.0.0.2)`,
    );
  });
});
