import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sleep } from './server-process';

const EMBEDDED_MODULE = join(__dirname, '..', '..', 'dist', 'src', 'database', 'embedded-postgres.js');

export type Throwaway = { url: string; stop: () => Promise<void> };

/**
 * A PostgreSQL a test may stop and start: `startEmbeddedPostgres` run in a child process, because
 * embedded-postgres is an ES module that jest's CommonJS sandbox cannot import (global setup runs outside it).
 * SIGTERM to the child stops the cluster through embedded-postgres's exit hook (a fast shutdown: open
 * transactions rolled back, connections terminated); the child's exit means the database is down.
 * `dataDir` must be enterable by user `postgres` (chmod 755) when tests run as root.
 */
export async function startPostgres(dataDir: string, port: number, database: string): Promise<Throwaway> {
  const script = `require(${JSON.stringify(EMBEDDED_MODULE)})
    .startEmbeddedPostgres({ dataDir: process.argv[1], port: Number(process.argv[2]), database: process.argv[3] })
    .then((db) => process.stdout.write(db.url + '\\n'), (error) => {
      process.stderr.write(String((error && error.stack) || error));
      process.exit(1);
    });`;
  const child = spawn(process.execPath, ['-e', script, dataDir, String(port), database]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; waited < 90_000 && !stdout.includes('\n'); waited += 100) {
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  if (!stdout.includes('\n')) {
    child.kill('SIGKILL');
    throw new Error(`embedded PostgreSQL did not start: ${stderr}`);
  }
  return {
    url: stdout.trim(),
    stop: async () => {
      child.kill('SIGTERM');
      // Bounded: a cluster that will not stop is killed (the test then fails on what follows).
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
