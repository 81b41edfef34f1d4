import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { AppModule, type AppModuleOptions } from './app.module';
import { answerClientErrorsWithErrorList } from './common/http/client-error';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { createLogger, PinoNestLogger, requestLogMiddleware } from './common/logging/logging';
import { setupOpenApi } from './docs/openapi';

/** Builds the HTTP application; shared by main.ts and the e2e tests so both serve the same thing. */
export async function createApp(config: AppModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Bodies are read by AppModule's raw middleware, not Nest's JSON parser.
    bodyParser: false,
    bufferLogs: true,
  });
  const logger = createLogger(config, config.logDestination);
  app.useLogger(new PinoNestLogger(logger));
  // First of all middleware, so that every response (a 413 from the body reader included) carries the id,
  // and every request, /docs included, gets its log line.
  app.use(requestIdMiddleware);
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
  // /openapi.json and /docs: public, outside Nest's router (docs/openapi.ts); after helmet so it covers them.
  setupOpenApi(app);
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
  // Bounded time to receive a request; the database side is bounded by statement_timeout (data-source.ts).
  answerClientErrorsWithErrorList(server);
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  // Signals are handled by main.ts (common/http/graceful-shutdown.ts); tests close the app themselves.
  return app;
}
