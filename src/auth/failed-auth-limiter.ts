import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** At most this many addresses are tracked; the oldest window is dropped first (memory stays bounded). */
const MAX_ADDRESSES = 50_000;

type Window = { failures: number; endsAt: number };

/**
 * Failed authentications per key in fixed windows that start with a key's first failure. Pure (the caller
 * passes the time), so the arithmetic is unit-tested without waiting.
 */
export class FailureWindows {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = MAX_ADDRESSES,
  ) {}

  /** Milliseconds until `key` may try again; 0 while it is under the limit. */
  blockedForMs(key: string, now: number): number {
    const window = this.windows.get(key);
    if (!window) return 0;
    if (window.endsAt <= now) {
      this.windows.delete(key);
      return 0;
    }
    return window.failures >= this.limit ? window.endsAt - now : 0;
  }

  recordFailure(key: string, now: number): void {
    const window = this.windows.get(key);
    if (window && window.endsAt > now) {
      window.failures++;
      return;
    }
    this.windows.delete(key);
    this.windows.set(key, { failures: 1, endsAt: now + this.windowMs });
    if (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }

  get size(): number {
    return this.windows.size;
  }
}

/** The 429 of the failed-auth limit; the guard puts `retryAfterSeconds` in a Retry-After header. */
export class TooManyFailedAuthenticationsError extends ApiError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    windowMs: number,
  ) {
    super(
      'rate_limit_exceeded',
      `Too many failed authentications from this address (${limit} in ${Math.round(windowMs / 1000)} seconds); ` +
        `retry after ${retryAfterSeconds} seconds`,
    );
  }
}

/**
 * Limits failed authentications per client address (issue #9: a flood of bad tokens cost a database
 * lookup each). After AUTH_FAILURE_LIMIT failures within AUTH_FAILURE_WINDOW_MS, tokens from that address
 * are no longer looked up: 429 until the window ends. A token whose principal is already cached still works
 * (TokensService checks the cache first), so a busy client with a good token is not locked out by a
 * neighbour behind the same address; a token that would need a lookup waits for the window.
 *
 * The key is the TCP peer address, the one address a client cannot forge. Behind a reverse proxy that is
 * the proxy's for every client: README "Authentication" says what to configure then. Counted per process.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly windows: FailureWindows | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.windows =
      config.authFailureLimit > 0
        ? new FailureWindows(config.authFailureLimit, config.authFailureWindowMs)
        : null;
  }

  /** Throws the 429 when `address` has used up its failures for the current window. */
  assertAllowed(address: string): void {
    if (!this.windows) return;
    const blockedMs = this.windows.blockedForMs(address, Date.now());
    if (blockedMs > 0) {
      throw new TooManyFailedAuthenticationsError(
        Math.max(1, Math.ceil(blockedMs / 1000)),
        this.windows.limit,
        this.windows.windowMs,
      );
    }
  }

  recordFailure(address: string): void {
    this.windows?.recordFailure(address, Date.now());
  }
}

/** The TCP peer of a request, IPv4-mapped IPv6 addresses written as IPv4 (one client, one key). */
export function clientAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.')
    ? remoteAddress.slice('::ffff:'.length)
    : remoteAddress;
}
