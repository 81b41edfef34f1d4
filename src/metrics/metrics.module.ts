import { type DynamicModule, Module } from '@nestjs/common';
import { MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';

@Module({})
export class MetricsModule {
  /**
   * `METRICS_ENABLED=false` leaves the module out entirely: no timing, no metrics listener. Otherwise
   * /metrics is served by a listener of its own (METRICS_HOST:METRICS_PORT), never on the API's port.
   */
  static forRoot(enabled: boolean): DynamicModule {
    return enabled
      ? // Global: the features count what they do (tickets.service.ts, the webhook worker) in the one registry
        // without importing (and instantiating) this module again.
        {
          module: MetricsModule,
          global: true,
          providers: [MetricsService, MetricsServer],
          exports: [MetricsService],
        }
      : { module: class MetricsDisabledModule {} };
  }
}
