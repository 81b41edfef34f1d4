import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/http/request-context';
import { toTicketStateList } from './ticket-states.mapper';
import { TicketStatesRepository } from './ticket-states.repository';

@Injectable()
export class TicketStatesService {
  constructor(private readonly states: TicketStatesRepository) {}

  /** GET /ticket_states (BEHAVIOUR.md §6): the workspace's states with their ticket types. */
  async list(ctx: RequestContext) {
    return toTicketStateList(await this.states.list(ctx.workspaceId));
  }
}
