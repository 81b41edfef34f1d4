import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TicketState } from './ticket-state.entity';
import { TicketType } from './ticket-type.entity';

/** Which states a ticket type's tickets may be in (2.12's `ticket_type.ticket_states`). */
@ForeignKey(() => TicketType, ['workspaceId', 'ticketTypeId'], ['workspaceId', 'id'], {
  name: 'ticket_type_states_workspace_id_ticket_type_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => TicketState, ['workspaceId', 'ticketStateId'], ['workspaceId', 'id'], {
  name: 'ticket_type_states_workspace_id_ticket_state_id_fkey',
  onDelete: 'CASCADE',
})
// GET /ticket_states lists each state's types.
@Index('ticket_type_states_by_state', ['workspaceId', 'ticketStateId'])
@Entity({ name: 'ticket_type_states' })
export class TicketTypeState {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'ticket_type_id', type: 'bigint' })
  ticketTypeId!: string;

  @PrimaryColumn({ name: 'ticket_state_id', type: 'bigint' })
  ticketStateId!: string;
}
