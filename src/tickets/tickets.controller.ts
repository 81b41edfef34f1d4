import { Controller, Get, HttpCode, Param, Put, Res } from '@nestjs/common';
import { Ctx } from '../common/http/request-context.decorator';
import type { AppReply, RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import { TICKETS_SINCE } from '../common/versioning/versions';
import { ApiRetrieveTicket, ApiUpdateTicket } from './tickets.api-docs';
import { type TicketOutcome, TicketsService, type UpdateTicketCommand } from './tickets.service';
import { UpdateCommand } from './update-command.decorator';

@Controller('tickets')
@MinVersion(TICKETS_SINCE)
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get(':id')
  @ApiRetrieveTicket()
  async retrieve(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: AppReply,
  ) {
    return send(reply, await this.tickets.retrieve(ctx, id));
  }

  @Put(':id')
  @HttpCode(200)
  @ApiUpdateTicket()
  async update(
    @Ctx() ctx: RequestContext,
    @UpdateCommand() command: UpdateTicketCommand,
    @Res({ passthrough: true }) reply: AppReply,
  ) {
    return send(reply, await this.tickets.update(ctx, command));
  }
}

/**
 * A ticket's serialized body as is (a replay must be byte-for-byte the first response) with its strong ETag, and
 * `Idempotent-Replayed: true` on a replay. Headers set here rather than by an interceptor: one fewer rxjs
 * pipeline per request (README "Performance").
 */
function send(reply: AppReply, outcome: TicketOutcome): string {
  reply.header('Content-Type', 'application/json; charset=utf-8').header('ETag', outcome.etag);
  if (outcome.replayed) reply.header('Idempotent-Replayed', 'true');
  return outcome.json;
}
