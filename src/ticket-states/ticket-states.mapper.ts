import type { TicketStateListDto } from './dto/ticket-state-list.dto';
import type { TicketStateRow } from './ticket-states.repository';

/**
 * GET /ticket_states' body (2.12 on): a `ticket_state_list` of `ticket_state_detailed`. Each state's ticket types
 * are shown as Intercom's recorded example shows them (id, name, description, icon, archived, category), not as
 * the full `ticket_type` of a ticket with its attributes and states (README "The API"). `satisfies` the documented
 * schema (dto/ticket-state-list.dto.ts): a field missing or extra on either side fails to compile. Pure.
 */
export function toTicketStateList(states: readonly TicketStateRow[]) {
  return {
    type: 'list' as const,
    data: states.map((state) => ({
      type: 'ticket_state' as const,
      id: state.id,
      category: state.category,
      internal_label: state.internal_label,
      external_label: state.external_label,
      archived: state.archived,
      ticket_types: {
        type: 'list' as const,
        data: state.ticket_types.map((type) => ({
          type: 'ticket_type' as const,
          id: type.id,
          name: type.name,
          description: type.description,
          icon: type.icon,
          archived: type.archived,
          category: type.category,
        })),
      },
    })),
  } satisfies TicketStateListDto;
}
