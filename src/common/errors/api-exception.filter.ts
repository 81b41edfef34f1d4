import { types } from 'node:util';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { AppRequest } from '../http/request-context';
import { ApiError, toErrorList } from './api-error';

/** Errors thrown by express itself (http-errors, e.g. a path parameter that is not valid percent-encoding). */
type ExpressError = Error & { status?: number };

/** PostgreSQL / driver signs that the database, not the request, is at fault. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** An Error from any realm (`instanceof` fails for errors made in another vm context, e.g. under jest). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction rolled back and may run again. */
const CONFLICT_CODES = new Set(['40001', '40P01']);

/** A conflict with concurrent transactions: tickets.service.ts retries it, the filter answers a retryable 503. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && CONFLICT_CODES.has(code);
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!isError(error)) return false;
  // TypeORM releases a query runner whose connection died; the transaction's next statement then throws this.
  if (
    error.name === 'QueryRunnerProviderAlreadyReleasedError' ||
    error.name === 'QueryRunnerAlreadyReleasedError'
  ) {
    return true;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    error.message,
  );
}

/** Turns anything thrown into the one `error.list` shape; never echoes internals to the client. */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new ApiError('not_found', 'Resource Not Found');
    if (status === 413) return new ApiError('request_entity_too_large', 'Request body is too large');
    if (status === 415)
      return new ApiError('unsupported_media_type', 'Content-Type must be application/json');
    if (status === 401) return new ApiError('unauthorized', 'Access Token Invalid');
    if (status < 500) return new ApiError('parameter_invalid', 'The request is invalid');
    return new ApiError('server_error', 'Internal server error');
  }
  const expressError = exception as ExpressError;
  if (typeof expressError?.status === 'number' && expressError.status >= 400 && expressError.status < 500) {
    // The body's own errors are ApiErrors (raw-body.middleware.ts); this is the request line or a header.
    return new ApiError('parameter_invalid', 'The request could not be parsed');
  }
  if (isDatabaseUnavailable(exception)) {
    return new ApiError('service_unavailable', 'The service is temporarily unavailable, please retry');
  }
  if (isRetryableConflict(exception)) {
    // Still conflicting after the service's own retries (tickets.service.ts): rolled back, safe to retry.
    return new ApiError('service_unavailable', 'The update conflicted with concurrent updates, please retry');
  }
  if ((exception as { code?: unknown } | null | undefined)?.code === '57014') {
    // statement_timeout (REQUEST_TIMEOUT_MS) cancelled the query: the transaction rolled back, nothing written.
    return new ApiError('service_unavailable', 'The request timed out, please retry');
  }
  return new ApiError('server_error', 'Internal server error');
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<AppRequest>();
    const res = http.getResponse<Response>();
    const error = toApiError(exception);
    // A fault (not an ApiError the code chose to answer, such as a full ticket queue's 503, which the request log
    // line already records with its error code) is logged with the request id so an operator can find it; the
    // client sees only the generic message. A burst of 800 refused updates used to write 800 stack traces.
    if (error.status >= 500 && !(exception instanceof ApiError)) {
      this.logger.error(
        `request ${req.requestId ?? '-'} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    // The request log line (common/logging) names the error code, so a 4xx is explained without the body.
    (res.locals as { errorCode?: string }).errorCode = error.code;
    if (res.headersSent) return;
    // Both are "try again shortly": nothing was written, and the same request may well succeed in a second.
    if (error.status === 503 || error.code === 'idempotency_key_in_use') res.setHeader('Retry-After', '1');
    res.status(error.status).json(toErrorList(error, req.requestId ?? null));
  }
}
