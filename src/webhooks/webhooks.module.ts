import { type DynamicModule, Module } from '@nestjs/common';
import { TicketsRepository } from '../tickets/tickets.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookRetention } from './webhook-retention';
import { WebhookWorker } from './webhook-worker';

@Module({})
export class WebhooksModule {
  /**
   * The delivery worker and its retention cleanup, in whatever process imports this with `worker: true`: the
   * API (WEBHOOK_WORKER_ENABLED, the default) or `npm run worker` (worker-main.ts). Subscriptions are managed by
   * the CLI (webhook-subscriptions.service.ts), which needs no module.
   */
  static forRoot(options: { worker: boolean; metricsEnabled: boolean }): DynamicModule {
    if (!options.worker) return { module: WebhooksModule };
    return {
      module: WebhooksModule,
      providers: [
        WebhookDeliveriesRepository,
        // The worker renders an event's ticket with the parts of that moment (findPartsThrough).
        TicketsRepository,
        WebhookWorker,
        WebhookRetention,
        // In the one registry of MetricsModule (global), when METRICS_ENABLED.
        ...(options.metricsEnabled ? [WebhookMetrics] : []),
      ],
    };
  }
}
