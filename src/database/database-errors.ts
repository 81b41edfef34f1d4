import { types } from 'node:util';

/**
 * What a PostgreSQL or driver failure means for the request, in one place: the exception filter turns it into
 * a 503, tickets.service.ts retries a conflict, and the bearer guard lets a failed token lookup through to the
 * filter. Every check reads only `code`, `name` and `message`, so it holds for node-postgres's DatabaseError,
 * TypeORM's QueryFailedError (which copies the driver error's `code` onto itself and keeps it as
 * `driverError`) and errors made in another realm.
 */

/**
 * An Error from any realm (`instanceof` fails for errors made in another vm context, e.g. under jest). Here
 * rather than in common/errors because common/errors' filter imports this file.
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** Driver (socket) and PostgreSQL signs that the database, not the request, is at fault. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or recovering), too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction rolled back and may run again. */
const CONFLICT_CODES = new Set(['40001', '40P01']);

/** query_canceled: statement_timeout (REQUEST_TIMEOUT_MS) cancelled the statement. */
const STATEMENT_TIMEOUT_CODE = '57014';

/** The SQLSTATE (or socket error code) of a driver error, whether TypeORM wrapped it or not. */
export function databaseErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string') return code;
  const inner = (driverError as { code?: unknown } | null | undefined)?.code;
  return typeof inner === 'string' ? inner : undefined;
}

/** A conflict with concurrent transactions: tickets.service.ts retries it, the filter answers a retryable 503. */
export function isRetryableConflict(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code !== undefined && CONFLICT_CODES.has(code);
}

/** statement_timeout cancelled a query: the transaction rolled back and nothing was written. */
export function isStatementTimeout(error: unknown): boolean {
  return databaseErrorCode(error) === STATEMENT_TIMEOUT_CODE;
}

/** The database is unreachable or dropped the connection: a 503, never the client's fault. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!isError(error)) return false;
  // TypeORM releases a query runner whose connection died; the transaction's next statement then throws this.
  if (
    error.name === 'QueryRunnerProviderAlreadyReleasedError' ||
    error.name === 'QueryRunnerAlreadyReleasedError'
  ) {
    return true;
  }
  const code = databaseErrorCode(error);
  // Class 08: connection exceptions.
  if (code !== undefined && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  // node-postgres and pg-pool raise these without a code.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    error.message,
  );
}
