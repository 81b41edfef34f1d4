import { type DynamicModule, Module } from '@nestjs/common';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions, RateLimitService } from './rate-limit.service';

/**
 * The per-workspace counter. AppModule registers RateLimitGuard itself, right after BearerAuthGuard:
 * global guards run in registration order, and the limit is counted per authenticated workspace.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [{ provide: RATE_LIMIT_OPTIONS, useValue: options }, RateLimitService],
      exports: [RateLimitService],
    };
  }
}
