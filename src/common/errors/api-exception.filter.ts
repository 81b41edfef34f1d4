import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import {
  isDatabaseUnavailable,
  isRetryableConflict,
  isStatementTimeout,
} from '../../database/database-errors';
import type { AppReply, AppRequest } from '../http/request-context';
import { ApiError, toErrorList } from './api-error';
import { ERROR_MESSAGES } from './error-messages';

/** Errors of the HTTP layer itself (Fastify's, with a `statusCode`). */
type FrameworkError = Error & { statusCode?: number };

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
  const frameworkError = exception as FrameworkError;
  if (
    typeof frameworkError?.statusCode === 'number' &&
    frameworkError.statusCode >= 400 &&
    frameworkError.statusCode < 500
  ) {
    // The body's own errors are ApiErrors (raw-body.ts); this is the request line or a header.
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
    answerWithErrorList(exception, http.getRequest<AppRequest>(), http.getResponse<AppReply>(), this.logger);
  }
}

/**
 * Answers `exception` as an `error.list` (BEHAVIOUR.md §4), logging it when it is a fault. The one rendering of
 * errors: the global filter's (errors of Nest's pipeline) and Fastify's error handler's (errors before it, such
 * as the body's 413; app.factory.ts).
 */
export function answerWithErrorList(
  exception: unknown,
  req: AppRequest,
  reply: AppReply,
  logger: Logger,
): void {
  const error = toApiError(exception);
  // A fault (not an ApiError the code chose to answer, such as a full ticket queue's 503, which the request log
  // line already records with its error code) is logged with the request id so an operator can find it; the
  // client sees only the generic message. A burst of 800 refused updates used to write 800 stack traces.
  if (error.status >= 500 && !(exception instanceof ApiError)) {
    logger.error(
      `request ${req.id} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
  }
  // The request log line (common/logging) names the error code, so a 4xx is explained without the body.
  req.errorCode = error.code;
  if (reply.sent || reply.raw.headersSent) return;
  // Every error answer carries its request's id (BEHAVIOUR.md §4), those given before the request hooks ran too
  // (a target no route can match is sent to the not-found handler at once).
  reply.header('X-Request-Id', req.id);
  // A body left unread (a 413, a body that did not decode) cannot be skipped on a kept-alive connection: it is
  // closed once answered, so the rest of the upload is never read (raw-body.ts).
  if (!req.raw.complete) reply.header('Connection', 'close');
  // Both are "try again shortly": nothing was written, and the same request may well succeed in a second.
  if (error.status === 503 || error.code === 'idempotency_key_in_use') reply.header('Retry-After', '1');
  void reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(toErrorList(error, req.id)));
}
