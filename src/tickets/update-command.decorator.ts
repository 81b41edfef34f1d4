import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AppRequest } from '../common/http/request-context';
import type { UpdateTicketCommand } from './tickets.service';

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
