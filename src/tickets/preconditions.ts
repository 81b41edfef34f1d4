import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';

/** The strong entity tag of a ticket version: changes with every committed update. */
export function ticketEtag(ticketId: string, version: string): string {
  return `"${ticketId}.${version}"`;
}

/**
 * RFC 9110 §13.1.1 If-Match: `*` matches any current ticket; otherwise one of the listed tags must equal the
 * current one by strong comparison (weak `W/` tags never match). Throws 412 when it does not hold.
 */
export function checkIfMatch(header: string | undefined, currentEtag: string): void {
  if (header === undefined) return;
  const value = header.trim();
  if (value === '*') return;
  const tags = value.match(/(W\/)?"[^"]*"/g) ?? [];
  if (tags.some((tag) => tag === currentEtag)) return;
  throw new ApiError('precondition_failed', ERROR_MESSAGES.preconditionFailed(currentEtag), 'If-Match');
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** An Idempotency-Key is 1–255 visible ASCII characters (e.g. a UUID). */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY.test(key)) {
    throw ApiError.invalid('Idempotency-Key', ERROR_MESSAGES.idempotencyKeyInvalid);
  }
  return key;
}
