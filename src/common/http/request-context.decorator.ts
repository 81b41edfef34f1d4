import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { UpdateTicketCommand } from '../../tickets/tickets.service';
import { DEFAULT_VERSION } from '../versioning/versions';
import type { AppRequest, RequestContext } from './request-context';

/** The request context built from what the guard (principal) and interceptor (version) recorded. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const req = host.switchToHttp().getRequest<AppRequest>();
  return {
    requestId: req.requestId ?? '',
    workspaceId: req.user!.workspaceId,
    tokenId: req.user!.tokenId,
    requireIfMatch: req.user!.requireIfMatch,
    version: req.apiVersion ?? DEFAULT_VERSION,
  };
});

/**
 * The update as the client sent it: the ticket id, the unparsed body (parsed by the service after the ticket
 * lookup) and the precondition headers.
 */
export const UpdateCommand = createParamDecorator(
  (_: unknown, host: ExecutionContext): UpdateTicketCommand => {
    const req = host.switchToHttp().getRequest<AppRequest>();
    return {
      id: String(req.params.id),
      body: {
        bytes: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: req.headers['content-type'],
      },
      ifMatch: req.header('if-match'),
      idempotencyKey: req.header('idempotency-key'),
    };
  },
);
