import { timingSafeEqual } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedStatement, runPreparedOnPool } from '../database/prepared-statement';
import type { Principal } from '../common/http/request-context';
import { DEFAULT_VERSION, parseVersion } from '../common/versioning/versions';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { generateToken, hashToken } from './token-hash';
import { AUTH_CHANGED_CHANNEL, TokenCache } from './token-cache';

export class UnknownWorkspaceError extends Error {}

const FIND_TOKEN = preparedStatement(
  'auth.find_token',
  `SELECT t.workspace_id, t.id::text, t.token_hash, w.default_intercom_version, w.require_if_match
         FROM access_tokens t JOIN workspaces w ON w.workspace_id = t.workspace_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
);

@Injectable()
export class TokensService {
  /** The server passes its TokenCache and FailedAuthLimiter; the CLI and tests use the service without. */
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly cache?: TokenCache,
    @Optional() private readonly limiter?: FailedAuthLimiter,
  ) {}

  /**
   * The workspace a live token belongs to, or null. The lookup is by SHA-256 digest through a unique index;
   * the digests are then compared in constant time, so no secret is ever compared byte by byte. A valid
   * token's principal is then cached for a few seconds, an unknown digest too (token-cache.ts).
   *
   * `client` (the peer address) is counted on every failure; once it is over the failed-auth limit, any
   * token that is not already cached as valid is refused with a 429 before any lookup (issue #9).
   */
  async authenticate(token: string, client?: string): Promise<Principal | null> {
    const digest = hashToken(token);
    const cached = this.cache?.get(digest);
    if (cached?.kind === 'valid') return cached.principal;
    if (client !== undefined) this.limiter?.assertAllowed(client);
    if (cached?.kind === 'unknown') return this.failed(client);
    const generation = this.cache?.snapshot() ?? 0;
    const { rows } = await runPreparedOnPool<{
      workspace_id: string;
      id: string;
      token_hash: Buffer;
      default_intercom_version: string;
      require_if_match: boolean;
    }>(this.dataSource, FIND_TOKEN, [digest]);
    const row = rows[0];
    if (!row || !timingSafeEqual(row.token_hash, digest)) {
      this.cache?.setUnknown(digest, generation);
      return this.failed(client);
    }
    const principal: Principal = {
      workspaceId: row.workspace_id,
      tokenId: row.id,
      defaultVersion: parseVersion(row.default_intercom_version) ?? DEFAULT_VERSION,
      requireIfMatch: row.require_if_match,
    };
    this.cache?.set(digest, principal, generation);
    return principal;
  }

  /**
   * Creates a token for a workspace and returns it; only its hash is stored. One statement that also
   * notifies AUTH_CHANGED_CHANNEL when it commits, so that no server keeps answering "unknown" for a token
   * that now exists. A freshly generated random token can hardly be cached as unknown already, but the rule
   * "every change of access_tokens is announced" is what keeps both caches honest (issue #9).
   */
  async create(workspaceId: string, name = ''): Promise<string> {
    const token = generateToken();
    const rows: unknown[] = await this.dataSource.query(
      `WITH created AS (
         INSERT INTO access_tokens (workspace_id, name, token_hash)
         SELECT workspace_id, $2, $3 FROM workspaces WHERE workspace_id = $1
         RETURNING id
       )
       SELECT pg_notify('${AUTH_CHANGED_CHANNEL}', 'created') FROM created`,
      [workspaceId, name, hashToken(token)],
    );
    if (rows.length === 0)
      throw new UnknownWorkspaceError(`workspace ${JSON.stringify(workspaceId)} not found`);
    return token;
  }

  private failed(client: string | undefined): null {
    if (client !== undefined) this.limiter?.recordFailure(client);
    return null;
  }

  /**
   * Revokes a token; true when a live token was found. Every server listening on AUTH_CHANGED_CHANNEL
   * empties its token cache when this commits, so the token stops working at once (README "Authentication").
   */
  async revoke(token: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH revoked AS (
         UPDATE access_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id
       )
       SELECT pg_notify('${AUTH_CHANGED_CHANNEL}', 'revoked') FROM revoked`,
      [hashToken(token)],
    );
    return rows.length > 0;
  }
}
