import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PgListener } from '../database/pg-listener';
import type { DataSource } from 'typeorm';
import type { Principal } from '../common/http/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';

/**
 * PostgreSQL channel on which every change that can invalidate a cached answer is announced: a token
 * revoked (TokensService.revoke) or created (TokensService.create: it may be cached as unknown), and a
 * workspace imported (its default version or If-Match rule may change).
 * Sent inside the writing transaction, so it is delivered when, and only if, that transaction commits.
 */
export const AUTH_CHANGED_CHANNEL = 'auth_changed';

/** At most this many principals, and this many unknown digests, are kept; the oldest is dropped first. */
const MAX_ENTRIES = 10_000;
const MAX_UNKNOWN_ENTRIES = 10_000;

type Entry = { principal: Principal; expiresAt: number };

/** What the cache knows of a digest: a live token's principal, a digest that matched no live token, or nothing. */
export type CachedAnswer = { kind: 'valid'; principal: Principal } | { kind: 'unknown' } | undefined;

/**
 * Remembers the principal of a valid token for AUTH_CACHE_TTL_MS (default 5 s), so that an update does not
 * pay a database round trip for authentication on every request (issue #5).
 *
 * Revocation stays effective within milliseconds: the service LISTENs on AUTH_CHANGED_CHANNEL on a
 * connection of its own and empties the cache on every notification. The cache is only used while that
 * connection is listening; when it drops, the cache is emptied and bypassed (every request looks the token
 * up again) until it is back. The TTL bounds what is left: a notification lost on a connection that died
 * without anyone noticing.
 *
 * Unknown digests are remembered too, for AUTH_NEGATIVE_CACHE_TTL_MS and at most MAX_UNKNOWN_ENTRIES of
 * them (issue #9: a flood of one bad token cost a database lookup per request). A new token still works at
 * once because `token create` also notifies, which empties both caches; a token inserted by hand in SQL
 * without NOTIFY is refused until its digest's entry expires. A flood of *distinct* bad tokens gains
 * nothing from this cache; the per-address limit (failed-auth-limiter.ts) is the answer to that.
 *
 * Keys are SHA-256 digests of tokens, never tokens; a Map lookup by digest leaks no timing about a secret.
 */
@Injectable()
export class TokenCache implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TokenCache.name);
  private readonly entries = new Map<string, Entry>();
  /** Digest → when the "unknown" answer expires. */
  private readonly unknown = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly unknownTtlMs: number;
  private readonly listener: PgListener;
  private listening = false;
  /** Bumped by every invalidation: a lookup that raced one is not cached. */
  private generation = 0;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(APP_CONFIG) config: AppConfig) {
    this.ttlMs = config.authCacheTtlMs;
    // Without the listener (AUTH_CACHE_TTL_MS=0) nothing would announce a new token: no negative cache either.
    this.unknownTtlMs = this.ttlMs > 0 ? config.authNegativeCacheTtlMs : 0;
    this.listener = new PgListener(
      {
        url: (dataSource.options as { url?: string }).url,
        channel: AUTH_CHANGED_CHANNEL,
        applicationName: `intercom-tickets-service listen ${process.pid}`,
      },
      {
        notification: () => this.invalidate(),
        listening: (again) => {
          // Whatever was announced while nobody listened is unknown: start empty.
          this.invalidate();
          this.listening = true;
          if (again) this.logger.log('auth cache: listening again');
        },
        // The cache is emptied and bypassed until a new connection listens.
        lost: (error, first) => {
          this.listening = false;
          this.invalidate();
          // The driver's message only; never the connection string.
          if (first) {
            this.logger.warn(
              `auth cache: change notifications lost (${error?.message ?? 'connection ended'}); ` +
                'looking every token up until they are back',
            );
          }
        },
      },
    );
  }

  /** Whether cached principals may be used right now. */
  get active(): boolean {
    return this.ttlMs > 0 && this.listening;
  }

  onApplicationBootstrap(): Promise<void> | void {
    if (this.ttlMs > 0) return this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.listening = false;
    this.invalidate();
    await this.listener.stop();
  }

  get(digest: Buffer): CachedAnswer {
    if (!this.active) return undefined;
    const key = digest.toString('base64');
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.expiresAt > now) return { kind: 'valid', principal: entry.principal };
      this.entries.delete(key);
    }
    const unknownUntil = this.unknown.get(key);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now) return { kind: 'unknown' };
      this.unknown.delete(key);
    }
    return undefined;
  }

  /** The generation to pass to `set` for a lookup starting now. */
  snapshot(): number {
    return this.generation;
  }

  /** Caches a principal read from the database, unless an invalidation happened since `generation`. */
  set(digest: Buffer, principal: Principal, generation: number): void {
    if (!this.active || generation !== this.generation) return;
    const key = digest.toString('base64');
    this.entries.delete(key);
    this.entries.set(key, { principal, expiresAt: Date.now() + this.ttlMs });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Remembers that a digest matched no live token, unless an invalidation happened since `generation`. */
  setUnknown(digest: Buffer, generation: number): void {
    if (!this.active || this.unknownTtlMs === 0 || generation !== this.generation) return;
    const key = digest.toString('base64');
    this.unknown.delete(key);
    this.unknown.set(key, Date.now() + this.unknownTtlMs);
    if (this.unknown.size > MAX_UNKNOWN_ENTRIES) {
      const oldest = this.unknown.keys().next().value;
      if (oldest !== undefined) this.unknown.delete(oldest);
    }
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.unknown.clear();
  }
}
