import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, sleep } from './server-process';

export type TestRedis = { url: string; stop: () => Promise<void> };

/**
 * A Redis for tests that need one shared by several processes, found the way a fresh machine allows:
 * TEST_REDIS_URL or REDIS_URL when set, else 127.0.0.1:6379 if it answers, else a `redis-server` from PATH
 * started on a free port in a temporary directory. `null` with the reason when there is none, so the caller
 * can skip instead of failing on a machine without Redis.
 */
export async function findRedis(): Promise<TestRedis | { url: null; reason: string }> {
  const given = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL;
  if (given) {
    if (await answers(given)) return { url: given, stop: async () => undefined };
    return { url: null, reason: 'TEST_REDIS_URL/REDIS_URL is set but does not answer PING' };
  }
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, stop: async () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return { url: null, reason: 'no Redis on 127.0.0.1:6379 and no redis-server on PATH' };
  }
  return startRedisServer();
}

async function startRedisServer(): Promise<TestRedis | { url: null; reason: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (await answers(url)) return { url, stop };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stop();
  return { url: null, reason: `redis-server did not answer on port ${port}` };
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
