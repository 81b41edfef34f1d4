import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { AppConfig } from '../config/config';
import type { RateLimitDecision } from './rate-limit-headers';

/** BEHAVIOUR.md §5: limits are counted in fixed 10-second windows. */
export const RATE_LIMIT_WINDOW_SECONDS = 10;

/** Every key this service writes starts with this, so several services can share one Redis. */
export const RATE_LIMIT_KEY_PREFIX = 'intercom-tickets:rate-limit';

export type RateLimitOptions = Pick<AppConfig, 'rateLimitPer10s' | 'redisUrl'>;

export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/** A Redis that does not answer within this is treated as down for that request. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * Counts requests per workspace: in process memory, or in Redis when `REDIS_URL` is set so that every
 * instance shares one counter. A window starts with a workspace's first request and lasts 10 seconds.
 *
 * When Redis is unreachable the service keeps serving: rate-limiter-flexible's insurance limiter counts
 * in this instance's memory until Redis answers again, so each instance still enforces the limit on its
 * own (a workspace can get up to instances × limit) and the headers stay truthful for that instance.
 */
@Injectable()
export class RateLimitService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly limiter: RateLimiterAbstract;
  private readonly redis: Redis | undefined;
  private readonly limit: number;
  private redisDown = false;
  private closing = false;

  constructor(@Inject(RATE_LIMIT_OPTIONS) config: RateLimitOptions) {
    this.limit = config.rateLimitPer10s;
    const options = {
      points: this.limit,
      duration: RATE_LIMIT_WINDOW_SECONDS,
      keyPrefix: RATE_LIMIT_KEY_PREFIX,
    };
    const memory = new RateLimiterMemory(options);
    if (!config.redisUrl) {
      this.limiter = memory;
      return;
    }
    this.redis = new Redis(config.redisUrl, {
      // Connected in onModuleInit, so the first requests already share the counter.
      lazyConnect: true,
      // Fail at once while disconnected instead of queueing: the request falls back to memory.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    // Without an 'error' listener ioredis prints every reconnect failure as an unhandled error.
    this.redis.on('error', (error: Error) => this.markRedisDown(error));
    this.redis.on('ready', () => this.markRedisUp());
    this.limiter = new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  async onModuleInit(): Promise<void> {
    // A Redis that is down at boot does not stop the service; ioredis keeps reconnecting in the background.
    await this.redis?.connect().catch((error: unknown) => this.markRedisDown(error));
  }

  /** Counts one request for the workspace and says whether it is within the limit. */
  async consume(workspaceId: string): Promise<RateLimitDecision> {
    try {
      return this.decision(true, await this.limiter.consume(workspaceId));
    } catch (rejection) {
      // Store errors never get here (the insurance limiter answers instead): a rejection is "over the limit".
      if (rejection instanceof RateLimiterRes) return this.decision(false, rejection);
      throw rejection;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    this.closing = true;
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    } else {
      // Also stops the reconnect loop of a Redis that never came up, which would keep the process alive.
      this.redis.disconnect();
    }
  }

  private decision(allowed: boolean, res: RateLimiterRes): RateLimitDecision {
    return { allowed, limit: this.limit, remaining: res.remainingPoints, msBeforeReset: res.msBeforeNext };
  }

  /** Logs once per outage; the message is the socket error (host and port), never the URL's credentials. */
  private markRedisDown(error: unknown): void {
    if (this.redisDown || this.closing) return;
    this.redisDown = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Redis unavailable, counting rate limits per instance until it is back: ${reason}`);
  }

  private markRedisUp(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.log('Redis reachable again, rate limits are shared across instances');
  }
}
