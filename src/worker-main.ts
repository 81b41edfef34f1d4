import 'reflect-metadata';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createLogger, PinoNestLogger } from './common/logging/logging';
import { type AppConfig, ConfigError, loadConfig } from './config/config';
import { AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { prepareDatabase } from './database/prepare-database';
import { StartupError } from './database/startup-error';
import { ENTITIES } from './entities';
import { enableContextShutdown } from './lifecycle/graceful-shutdown';
import { MetricsModule } from './metrics/metrics.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * `npm run worker`: the webhook delivery worker alone, so deployments can scale it apart from the API (which
 * then sets WEBHOOK_WORKER_ENABLED=false). Same configuration and database as the server: DATABASE_URL, or the
 * embedded PostgreSQL under DATA_DIR (joined when the server runs it, as the CLI does). /metrics on
 * METRICS_HOST:METRICS_PORT as the server's, with the webhook metrics. WEBHOOK_WORKER_ENABLED is the API's
 * switch and is ignored here.
 */
@Module({})
class WorkerModule {
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, ENTITIES, config.dbPoolSize, config.requestTimeoutMs),
          retryAttempts: 0,
        }),
        MetricsModule.forRoot(config.metricsEnabled),
        WebhooksModule.forRoot({ worker: true, metricsEnabled: config.metricsEnabled }),
      ],
    };
  }
}

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  const database = await prepareDatabase(config, (line) => logger.log(line));
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ ...config, databaseUrl: database.url }),
    { bufferLogs: true },
  );
  app.useLogger(new PinoNestLogger(createLogger(config)));
  enableContextShutdown(app, { timeoutMs: config.shutdownTimeoutMs, afterClose: database.stop });
  logger.log('webhook worker started');
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
