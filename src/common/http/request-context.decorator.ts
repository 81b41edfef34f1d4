import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RawBody } from '../../tickets/update-ticket.request';
import { DEFAULT_VERSION } from '../versioning/versions';
import type { AppRequest, RequestContext } from './request-context';

/** The request context built from what the guard (principal) and interceptor (version) recorded. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const req = host.switchToHttp().getRequest<AppRequest>();
  return {
    requestId: req.requestId ?? '',
    workspaceId: req.user!.workspaceId,
    tokenId: req.user!.tokenId,
    version: req.apiVersion ?? DEFAULT_VERSION,
  };
});

/** The unparsed body and its declared type; the service parses it after the ticket lookup. */
export const Body = createParamDecorator((_: unknown, host: ExecutionContext): RawBody => {
  const req = host.switchToHttp().getRequest<AppRequest>();
  return {
    bytes: Buffer.isBuffer(req.body) ? req.body : undefined,
    contentType: req.headers['content-type'],
  };
});
