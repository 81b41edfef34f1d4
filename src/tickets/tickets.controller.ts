import { Controller, HttpCode, Put, UseInterceptors } from '@nestjs/common';
import { Ctx } from '../common/http/request-context.decorator';
import type { RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import { TicketsService, type UpdateTicketCommand } from './tickets.service';
import { UpdateCommand } from './update-command.decorator';
import { ApiUpdateTicket } from './update-ticket.api-docs';
import { UpdateOutcomeInterceptor } from './update-outcome.interceptor';

@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Put(':id')
  @HttpCode(200)
  @MinVersion('2.9')
  @ApiUpdateTicket()
  @UseInterceptors(UpdateOutcomeInterceptor)
  update(@Ctx() ctx: RequestContext, @UpdateCommand() command: UpdateTicketCommand) {
    return this.tickets.update(ctx, command);
  }
}
