import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  isDatabaseUnavailable,
  isRetryableConflict,
  isStatementTimeout,
} from '../../database/database-errors';
import type { AppRequest } from '../http/request-context';
import { ApiError, toErrorList } from './api-error';
import { ERROR_MESSAGES } from './error-messages';

/** Errors thrown by express itself (http-errors, e.g. a path parameter that is not valid percent-encoding). */
type ExpressError = Error & { status?: number };

/** Turns anything thrown into the one `error.list` shape; never echoes internals to the client. */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new ApiError('not_found', ERROR_MESSAGES.routeNotFound);
    if (status === 413) return new ApiError('request_entity_too_large', ERROR_MESSAGES.bodyTooLarge());
    if (status === 415)
      return new ApiError('unsupported_media_type', 'Content-Type must be application/json');
    if (status === 401) return new ApiError('unauthorized', ERROR_MESSAGES.unauthorized);
    if (status < 500) return new ApiError('parameter_invalid', 'The request is invalid');
    return new ApiError('server_error', ERROR_MESSAGES.serverError);
  }
  const expressError = exception as ExpressError;
  if (typeof expressError?.status === 'number' && expressError.status >= 400 && expressError.status < 500) {
    // The body's own errors are ApiErrors (raw-body.middleware.ts); this is the request line or a header.
    return new ApiError('parameter_invalid', 'The request could not be parsed');
  }
  if (isDatabaseUnavailable(exception)) {
    return new ApiError('service_unavailable', ERROR_MESSAGES.databaseUnavailable);
  }
  if (isRetryableConflict(exception)) {
    // Still conflicting after the service's own retries (tickets.service.ts): rolled back, safe to retry.
    return new ApiError('service_unavailable', ERROR_MESSAGES.conflictRetriesExhausted);
  }
  if (isStatementTimeout(exception)) {
    // statement_timeout (REQUEST_TIMEOUT_MS) cancelled the query: the transaction rolled back, nothing written.
    return new ApiError('service_unavailable', ERROR_MESSAGES.statementTimeout);
  }
  return new ApiError('server_error', ERROR_MESSAGES.serverError);
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
