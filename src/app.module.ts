import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import type { DestinationStream } from 'pino';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { MetricsModule } from './metrics/metrics.module';
import { VersionInterceptor } from './common/versioning/version.interceptor';
import type { AppConfig } from './config/config';
import { AppConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { ENTITIES } from './entities';
import { HealthModule } from './health/health.module';
import { TicketStatesModule } from './ticket-states/ticket-states.module';
import { TicketsModule } from './tickets/tickets.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export type AppModuleOptions = AppConfig & {
  databaseUrl: string;
  /** Tests capture the request log here instead of stdout. */
  logDestination?: DestinationStream;
};

@Module({})
export class AppModule {
  static forRoot(config: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, ENTITIES, config.dbPoolSize, config.requestTimeoutMs),
          retryAttempts: 0,
        }),
        AuthModule,
        HealthModule,
        TicketsModule,
        TicketStatesModule,
        RateLimitModule.forRoot(config),
        MetricsModule.forRoot(config.metricsEnabled),
        WebhooksModule.forRoot({
          worker: config.webhookWorkerEnabled,
          metricsEnabled: config.metricsEnabled,
        }),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        // After BearerAuthGuard (global guards run in registration order): counts per authenticated workspace.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_INTERCEPTOR, useClass: VersionInterceptor },
      ],
    };
  }
}
