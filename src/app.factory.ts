import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { requestIdMiddleware } from './common/http/request-id.middleware';

/** Builds the HTTP application; shared by main.ts and the e2e tests so both serve the same thing. */
export async function createApp(config: AppModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Bodies are read by AppModule's raw middleware, not Nest's JSON parser.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // First of all middleware, so that every response (a 413 from the body reader included) carries the id.
  app.use(requestIdMiddleware);
  app.disable('x-powered-by');
  // helmet's defaults suit a JSON API (nosniff, no framing, HSTS, a strict CSP that /docs also satisfies).
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'same-site' } }));
  // CORS is off unless origins are configured: Intercom clients are servers, not browsers.
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins });
  const server = app.getHttpServer() as Server;
  // Bounded time to receive a request; the database side is bounded by statement_timeout (data-source.ts).
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(config.requestTimeoutMs, 60_000);
  app.enableShutdownHooks();
  return app;
}
