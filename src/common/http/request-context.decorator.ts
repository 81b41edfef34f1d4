import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_VERSION } from '../versioning/versions';
import type { AppRequest, RequestContext } from './request-context';

/** The request context built from what the guard (principal) and interceptor (version) recorded. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const req = host.switchToHttp().getRequest<AppRequest>();
  return {
    requestId: req.id,
    workspaceId: req.user!.workspaceId,
    tokenId: req.user!.tokenId,
    requireIfMatch: req.user!.requireIfMatch,
    version: req.apiVersion ?? DEFAULT_VERSION,
  };
});
