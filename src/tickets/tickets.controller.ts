import { Controller, HttpCode, Param, Put } from '@nestjs/common';
import { Body, Ctx } from '../common/http/request-context.decorator';
import type { RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import type { RawBody } from './update-ticket.request';
import { TicketsService } from './tickets.service';
import { ApiUpdateTicket } from './update-ticket.api-docs';

@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Put(':id')
  @HttpCode(200)
  @MinVersion('2.9')
  @ApiUpdateTicket()
  update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: RawBody) {
    return this.tickets.update(ctx, id, body);
  }
}
