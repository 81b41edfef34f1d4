import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../common/http/request-context.decorator';
import type { RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import { ApiListTicketStates } from './ticket-states.api-docs';
import { TicketStatesService } from './ticket-states.service';

@Controller('ticket_states')
@ApiTags('Ticket States')
export class TicketStatesController {
  constructor(private readonly states: TicketStatesService) {}

  @Get()
  @MinVersion('2.12')
  @ApiListTicketStates()
  list(@Ctx() ctx: RequestContext) {
    return this.states.list(ctx);
  }
}
