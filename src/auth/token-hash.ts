import { createHash, randomBytes } from 'node:crypto';

/** Tokens are stored only as this digest (BEHAVIOUR.md §5); the plain token is shown once, at creation. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A new token: 32 random bytes, base64url, with a recognisable prefix for secret scanners. */
export function generateToken(): string {
  return `tok_${randomBytes(32).toString('base64url')}`;
}

/**
 * The token a request presents, from the Authorization header only (BEHAVIOUR.md §5): `Bearer <token>`,
 * or the legacy `Basic base64(<token>:)`. Returns the header normalised to Bearer form for the strategy.
 */
export function normalizeAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) return header;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const token = colon === -1 ? decoded : decoded.slice(0, colon);
  return token ? `Bearer ${token}` : undefined;
}
