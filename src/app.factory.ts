import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { AppModule, type AppModuleOptions } from './app.module';
import { answerWithErrorList } from './common/errors/api-exception.filter';
import { toErrorList } from './common/errors/api-error';
import { HttpEdge } from './common/http/client-error';
import { createHttpAdapter, httpServerOptions } from './common/http/http-adapter';
import { hasBody, readBody } from './common/http/raw-body';
import type { AppReply, AppRequest } from './common/http/request-context';
import { checkRequestHead } from './common/http/request-head';
import { applyHeaderEdits, recordHeaderEdits } from './common/http/security-headers';
import { createLogger, logRequest, PinoNestLogger } from './common/logging/logging';
import { setupOpenApi } from './docs/openapi';
import { trackRequest } from './metrics/request-metrics';
import { MetricsService } from './metrics/metrics.service';
import { TICKET_VERSION_CHANGES } from './tickets/versions/ticket-versions';

/** The methods Fastify would otherwise parse a body for: the first request hook reads every body instead. */
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY'] as const;

/** The application as main.ts and the e2e tests get it: Nest on Fastify (README "Performance"). */
export type App = NestFastifyApplication;

/**
 * Builds the HTTP application, initialized and ready to listen; shared by main.ts and the e2e tests so both
 * serve the same thing.
 */
export async function createApp(config: AppModuleOptions): Promise<App> {
  const edge = new HttpEdge({
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    onAnswer: (method, status) => metrics?.count(method, '(unrouted)', status),
  });
  // Request timeouts, the header limit and the Host check are options of http.createServer (http-adapter.ts).
  const adapter = createHttpAdapter({
    serverOptions: httpServerOptions(config.requestTimeoutMs),
    clientErrorHandler: edge.onClientError,
    frameworkErrors: (error, req, reply) => {
      reply.raw.setHeader('X-Request-Id', req.id);
      answerWithErrorList(error, req, reply, new Logger('HttpLayer'));
    },
    genReqId: randomUUID,
  });
  const app = await NestFactory.create<App>(AppModule.forRoot(config), adapter, {
    // Bodies are read as bytes by the one content-type parser below, not parsed by Nest.
    bodyParser: false,
    bufferLogs: true,
  });
  const logger = createLogger(config, config.logDestination);
  app.useLogger(new PinoNestLogger(logger));
  const metrics = config.metricsEnabled ? app.get(MetricsService) : undefined;
  const fastify = app.getHttpAdapter().getInstance();

  // What the service records on a request, declared up front so every request object has one shape.
  fastify.decorateRequest('user', null);
  fastify.decorateRequest('apiVersion', null);
  fastify.decorateRequest('errorCode', null);

  // helmet's defaults suit a JSON API (nosniff, no framing, HSTS, a strict CSP that /docs also satisfies). Its
  // headers are the same for every request with these options: recorded once, replayed on each response.
  const securityHeaders = recordHeaderEdits(
    helmet({
      crossOriginResourcePolicy: { policy: 'same-site' },
      // Not upgrade-insecure-requests: over plain HTTP to a host name, browsers then fetch /docs' scripts over
      // https and show a blank page. Behind a TLS proxy the page is https already and nothing changes.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  const track = metrics ? trackRequest(metrics) : undefined;
  const log = logRequest(logger);

  // First of all request hooks (Nest's adapter runs this one before its own): every response, a 413 from the body
  // reader and a 404 for a target no route can match included, carries the id and the security headers, is
  // counted and timed, and every request, /docs included, gets its log line. Then the head checks node:http does
  // only in part (request-head.ts).
  adapter.setOnRequestHook((req: AppRequest, reply: AppReply, done: (error?: Error) => void) => {
    reply.raw.setHeader('X-Request-Id', req.id);
    track?.(req, reply);
    log(req, reply);
    applyHeaderEdits(reply.raw, securityHeaders);
    const refused = checkRequestHead(req.raw);
    if (refused) {
      req.errorCode = refused.code;
      void reply
        .code(refused.status)
        .header('Connection', 'close')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(toErrorList(refused, req.id)));
      return;
    }
    // Every body, whatever its declared type, is read as bytes here (raw-body.ts: the 413s and the decoding);
    // the service parses it after authentication, version and ticket lookup (BEHAVIOUR.md §4's order of checks).
    if (!hasBody(req.raw)) return done();
    readBody(req.raw, config.bodyLimitBytes).then((body) => {
      req.body = body;
      done();
    }, done);
  });
  // So Fastify's content-type parsing never runs: it would only hand the bytes over, at the price of an
  // AsyncResource per request (README "Performance").
  for (const method of BODY_METHODS)
    fastify.addHttpMethod(method, { hasBody: false, overrideExisting: true });

  // /openapi.json and /docs: public, outside Nest's router (docs/openapi.ts); after the hooks so they cover them.
  setupOpenApi(app, TICKET_VERSION_CHANGES);
  // CORS is off unless origins are configured: Intercom clients are servers, not browsers.
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      exposedHeaders: [
        'X-Request-Id',
        'Intercom-Version',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
        'Retry-After',
      ],
    });
  }
  // Answers node:http gives before Fastify runs, as error.lists; the metrics count them as "(unrouted)".
  edge.attach(app.getHttpServer());
  try {
    // Errors before Nest's handlers (the body reader's) reach the global exception filter too: Nest installs
    // Fastify's error handler here.
    await app.init();
    await fastify.ready();
  } catch (error) {
    // A listener that could not start (METRICS_PORT taken) must not leave the rest running.
    await app.close().catch(() => undefined);
    throw error;
  }
  // Signals are handled by main.ts (lifecycle/graceful-shutdown.ts); tests close the app themselves.
  return app;
}
