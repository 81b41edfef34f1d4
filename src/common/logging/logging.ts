import type { LoggerService } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../../config/config';
import type { AppReply, AppRequest } from '../http/request-context';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|token|api_key)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAMS, '$1[REDACTED]');
}

/**
 * The process's one pino logger: JSON lines on stdout (or `destination`), pino-pretty when asked for. Pretty
 * output is written synchronously in this thread (not through a transport's worker), so log lines and the
 * Quick start banner written to stdout after them appear in the order they were written.
 */
export function createLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options = { level: config.logLevel };
  if (destination) return pino(options, destination);
  if (config.logFormat === 'pretty') {
    // A dev dependency (LOG_FORMAT=pretty needs it), so loaded only when asked for.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino(options, pretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true }));
  }
  return pino(options);
}

/**
 * Nest's start-up chatter (one line per module and per route, 20-odd lines) is debug, not info: at the default
 * level the start-up log is the few lines that matter, and the Quick start banner is not buried under it.
 */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * One JSON line per request, written when the response is finished: id, method, URL (secrets redacted),
 * Intercom-Version, User-Agent, status (with the error.list code when it is an error), duration, workspace
 * and route pattern. No other header is ever
 * read, so neither `Authorization` nor a cookie can reach a log.
 *
 * Hand-written rather than pino-http (through nestjs-pino), which built three child loggers and serialized
 * the whole request for every request even when the line was not going to be written, and ran each
 * request inside an AsyncLocalStorage scope: about a fifth of the service's CPU per update (README
 * "Performance"). Nothing here runs per request beyond a timestamp and one listener unless the line is due.
 */
export function logRequest(logger: Logger): (req: AppRequest, reply: AppReply) => void {
  return (req, reply) => {
    const res = reply.raw;
    const started = performance.now();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      // A response cut off by the client ('close' before 'finish') is worth a warning, not an error.
      const aborted = !res.writableFinished;
      const level = res.statusCode >= 500 ? 'error' : aborted ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        req: {
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          intercom_version: req.headers['intercom-version'],
          user_agent: req.headers['user-agent'],
        },
        res: { status: res.statusCode, error_code: req.errorCode ?? undefined },
        responseTime: Math.round(performance.now() - started),
        workspace_id: req.user?.workspaceId,
        route: req.routeOptions.url,
      };
      logger[level](
        line,
        aborted ? 'request aborted' : level === 'error' ? 'request errored' : 'request completed',
      );
    };
    res.once('finish', finished);
    res.once('close', finished);
  };
}

/** Nest's own log calls (`new Logger(context)`) go to the same pino logger, with their context. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write(context !== undefined && BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    // Nest passes (message, context) when there is no stack.
    if (context === undefined && trace !== undefined && !trace.includes('\n')) {
      this.write('error', message, trace);
    } else {
      this.write('error', message, context, trace);
    }
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string, stack?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const text = message instanceof Error ? message.message : String(message);
    this.logger[level]({ context, ...(stack ? { stack } : {}) }, text);
  }
}
