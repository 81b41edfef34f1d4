import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AppRequest } from '../common/http/request-context';
import type { UpdateTicketCommand } from './tickets.service';

/** A header as one string: node:http joins a repeated one with ", " except for a few names. */
function header(req: AppRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The update as the client sent it: the ticket id, the unparsed body (parsed by the service after the ticket
 * lookup) and the precondition headers.
 */
export const UpdateCommand = createParamDecorator(
  (_: unknown, host: ExecutionContext): UpdateTicketCommand => {
    const req = host.switchToHttp().getRequest<AppRequest>();
    return {
      id: String((req.params as { id: string }).id),
      body: {
        bytes: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: header(req, 'content-type'),
      },
      ifMatch: header(req, 'if-match'),
      idempotencyKey: header(req, 'idempotency-key'),
    };
  },
);
