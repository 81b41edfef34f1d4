import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsMiddleware } from './metrics.middleware';
import { MetricsService } from './metrics.service';

@Module({})
export class MetricsModule implements NestModule {
  /** `METRICS_ENABLED=false` leaves the module out entirely: no timing, no /metrics route. */
  static forRoot(enabled: boolean): DynamicModule {
    return enabled
      ? { module: MetricsModule, controllers: [MetricsController], providers: [MetricsService] }
      : { module: class MetricsDisabledModule {} };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MetricsMiddleware).forRoutes('*path');
  }
}
