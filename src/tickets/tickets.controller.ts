import { Controller, Get, HttpCode, Param, Put, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../common/http/request-context.decorator';
import type { RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import { TICKETS_SINCE } from '../common/versioning/versions';
import { ApiRetrieveTicket, ApiUpdateTicket } from './tickets.api-docs';
import { TicketsService, type UpdateTicketCommand } from './tickets.service';
import { TicketOutcomeInterceptor } from './ticket-outcome.interceptor';
import { UpdateCommand } from './update-command.decorator';

@Controller('tickets')
@ApiTags('Tickets')
@MinVersion(TICKETS_SINCE)
@UseInterceptors(TicketOutcomeInterceptor)
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get(':id')
  @ApiRetrieveTicket()
  retrieve(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return this.tickets.retrieve(ctx, id);
  }

  @Put(':id')
  @HttpCode(200)
  @ApiUpdateTicket()
  update(@Ctx() ctx: RequestContext, @UpdateCommand() command: UpdateTicketCommand) {
    return this.tickets.update(ctx, command);
  }
}
