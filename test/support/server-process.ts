import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** The compiled code (global setup builds it), run as real processes the way production runs it. */
const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist', 'src');

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** How a finished process ended, with everything it wrote. */
export type NodeResult = { code: number | null; stdout: string; stderr: string };

export type NodeProcess = {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the process has exited and its output streams are closed (all of it read). */
  closed: Promise<NodeResult>;
};

export type NodeOptions = {
  /** The child's environment on top of PATH and HOME: nothing else leaks in from the test process. */
  env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed (undefined: an empty, closed one). */
  input?: string;
};

/** Starts `node dist/src/<script> ...args` from the project root and collects what it writes. */
export function startNode(script: string, args: string[] = [], options: NodeOptions = {}): NodeProcess {
  const child = spawn(process.execPath, [join(DIST, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
  });
  child.stdin.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const closed = new Promise<NodeResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, closed };
}

/** Runs `node dist/src/<script> ...args` to its end (the CLI, `migration:run`). */
export function runNode(script: string, args: string[] = [], options: NodeOptions = {}): Promise<NodeResult> {
  return startNode(script, args, options).closed;
}

export type ServerProcess = {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited; rejects (after killing it) if that takes longer than `ms`. */
  exit: (ms: number) => Promise<Exit>;
  /** Resolves once stdout contains `text`; rejects if the process exits first or `ms` pass. */
  waitForStdout: (text: string, ms: number) => Promise<void>;
  /** SIGKILL if still running (test cleanup). */
  kill: () => void;
};

/**
 * Starts `node dist/src/main.js` with only `env` (and PATH/HOME): nothing leaks in from the test process. Its
 * in-process webhook worker is off unless `env` turns it on (test/support/app.ts says why).
 */
export function spawnServer(env: Record<string, string>, script = 'main.js'): ServerProcess {
  const {
    child,
    stdout: out,
    stderr: err,
    closed,
  } = startNode(script, [], {
    env: { WEBHOOK_WORKER_ENABLED: 'false', ...env },
  });
  // Waited for through `exit` (a spawn error, ENOENT say, ends in a timeout there with its output).
  closed.catch(() => undefined);
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: out,
    stderr: err,
    exit: (ms) =>
      bounded(exited, ms, () => {
        child.kill('SIGKILL');
        return `server did not exit within ${ms} ms\nstdout:\n${out()}\nstderr:\n${err()}`;
      }),
    waitForStdout: async (text, ms) => {
      for (let waited = 0; waited < ms; waited += 50) {
        if (out().includes(text)) return;
        if (!running()) break;
        await sleep(50);
      }
      if (!out().includes(text)) {
        throw new Error(`server never printed ${JSON.stringify(text)}\nstdout:\n${out()}\nstderr:\n${err()}`);
      }
    },
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
  };
}

/** Polls GET /health/live until it answers 200 (bounded); throws with the server's output otherwise. */
export async function waitUntilLive(server: ServerProcess, port: number, ms = 30_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (server.child.exitCode !== null) break;
    const status = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`server not live on ${port}\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`);
}

/** Ports this process has already handed out (to a server or a database it is about to start). */
const handedOut = new Set<number>();

/**
 * A port nothing listens on now, never one this process handed out before: the kernel may give the same
 * port to two bind(0)s in a row once the first is closed, and a test that asks for two ports (the server's
 * and its embedded PostgreSQL's) would then start both on one.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** What a brand-new TCP connection to the port gets: 'connected', or the error code (ECONNREFUSED...). */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function bounded<T>(work: Promise<T>, ms: number, onTimeout: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(onTimeout())), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
