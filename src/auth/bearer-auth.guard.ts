import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { isPublicRoute } from '../common/http/public.decorator';
import type { AppReply } from '../common/http/request-context';
import { isError } from '../database/database-errors';
import { TooManyFailedAuthenticationsError } from './failed-auth-limiter';

/** Every route needs a workspace token unless marked @Public(); failures are BEHAVIOUR.md §4's 401. */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super({ session: false });
  }

  override canActivate(context: ExecutionContext) {
    return isPublicRoute(this.reflector, context) ? true : super.canActivate(context);
  }

  override handleRequest<T>(
    error: unknown,
    principal: T | false,
    _info?: unknown,
    context?: ExecutionContext,
  ): T {
    if (error instanceof TooManyFailedAuthenticationsError) {
      context?.switchToHttp().getResponse<AppReply>().header('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
    // A database failure during the lookup is not the client's fault: let the filter answer 503.
    if (isError(error)) throw error;
    if (error) throw new Error('authentication failed');
    if (!principal) throw new ApiError('unauthorized', ERROR_MESSAGES.unauthorized);
    return principal;
  }
}
