import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { AppModule, type AppModuleOptions } from './app.module';
import { answerClientErrorsWithErrorList } from './common/http/client-error';
import { httpServerOptions, TunedExpressAdapter } from './common/http/http-adapter';
import { requestHeadMiddleware } from './common/http/request-head.middleware';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { createLogger, PinoNestLogger, requestLogMiddleware } from './common/logging/logging';
import { setupOpenApi } from './docs/openapi';
import { metricsMiddleware } from './metrics/metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import { TICKET_VERSION_CHANGES } from './tickets/versions/ticket-versions';

/** Builds the HTTP application; shared by main.ts and the e2e tests so both serve the same thing. */
export async function createApp(config: AppModuleOptions): Promise<INestApplication> {
  // Request timeouts, the header limit and the Host check are options of http.createServer (http-adapter.ts).
  const adapter = new TunedExpressAdapter(httpServerOptions(config.requestTimeoutMs));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), adapter, {
    // Bodies are read by AppModule's raw middleware, not Nest's JSON parser.
    bodyParser: false,
    bufferLogs: true,
  });
  const logger = createLogger(config, config.logDestination);
  app.useLogger(new PinoNestLogger(logger));
  const metrics = config.metricsEnabled ? app.get(MetricsService) : undefined;
  // First of all middleware, so that every response (a 413 from the body reader included) carries the id,
  // is counted and timed, and every request, /docs included, gets its log line.
  app.use(requestIdMiddleware);
  if (metrics) app.use(metricsMiddleware(metrics));
  app.use(requestLogMiddleware(logger));
  app.disable('x-powered-by');
  // Updates carry their own strong ETag (the ticket's version); express's body-hash ETag would replace it.
  app.set('etag', false);
  // helmet's defaults suit a JSON API (nosniff, no framing, HSTS, a strict CSP that /docs also satisfies).
  app.use(
    helmet({
      crossOriginResourcePolicy: { policy: 'same-site' },
      // Not upgrade-insecure-requests: over plain HTTP to a host name, browsers then fetch /docs' scripts over
      // https and show a blank page. Behind a TLS proxy the page is https already and nothing changes.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  // Host and header size, which node:http checks only in part (request-head.middleware.ts).
  app.use(requestHeadMiddleware);
  // /openapi.json and /docs: public, outside Nest's router (docs/openapi.ts); after helmet so it covers them.
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
  const server: Server = app.getHttpServer();
  // Answers node:http gives before Express runs, as error.lists; the metrics count them as "(unrouted)".
  answerClientErrorsWithErrorList(server, {
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    onAnswer: metrics ? (method, status) => metrics.count(method, '(unrouted)', status) : undefined,
  });
  // Signals are handled by main.ts (lifecycle/graceful-shutdown.ts); tests close the app themselves.
  return app;
}
