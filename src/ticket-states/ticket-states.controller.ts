import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../common/http/request-context.decorator';
import type { RequestContext } from '../common/http/request-context';
import { MinVersion } from '../common/versioning/min-version.decorator';
import { BEARER_AUTH } from '../docs/openapi';
import { TicketStatesService } from './ticket-states.service';

@Controller('ticket_states')
export class TicketStatesController {
  constructor(private readonly states: TicketStatesService) {}

  @Get()
  @MinVersion('2.12')
  @ApiTags('Ticket States')
  @ApiBearerAuth(BEARER_AUTH)
  @ApiOperation({
    operationId: 'listTicketStates',
    summary: 'List all ticket states',
    description: 'You can get a list of all ticket states for a workspace.',
  })
  list(@Ctx() ctx: RequestContext) {
    return this.states.list(ctx);
  }
}
