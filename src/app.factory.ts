import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
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
  app.enableShutdownHooks();
  return app;
}
