import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppModuleOptions } from './app.module';

/** Builds the HTTP application; shared by main.ts and the e2e tests so both serve the same thing. */
export async function createApp(config: AppModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Bodies are read by AppModule's raw middleware, not Nest's JSON parser.
    bodyParser: false,
    logger: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'].slice(
      0,
      ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'].indexOf(config.logLevel) + 1,
    ) as ('fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose')[],
  });
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  return app;
}
