import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import type { AppReply, AppRequest } from '../common/http/request-context';
import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';
import { RATE_LIMIT_WINDOW_SECONDS, RateLimitService } from './rate-limit.service';

/**
 * Counts each authenticated request against its workspace's window (BEHAVIOUR.md §5). Registered as a
 * global guard right after BearerAuthGuard, so it sees `req.user` and runs before the version interceptor:
 * a 401 is never counted, while a 400 for a bad version or a 404 is. The headers go on the response before
 * the handler runs, so the error responses thrown later carry them too.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly rateLimits: RateLimitService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    // @Public() routes (health probes) have no workspace to count against.
    if (!req.user) return true;
    const reply = context.switchToHttp().getResponse<AppReply>();
    const decision = await this.rateLimits.consume(req.user.workspaceId);
    reply.headers(rateLimitHeaders(decision, Date.now()));
    if (!decision.allowed) {
      reply.header('Retry-After', String(retryAfterSeconds(decision.msBeforeReset)));
      throw new ApiError(
        'rate_limit_exceeded',
        ERROR_MESSAGES.rateLimitExceeded(decision.limit, RATE_LIMIT_WINDOW_SECONDS),
      );
    }
    return true;
  }
}
