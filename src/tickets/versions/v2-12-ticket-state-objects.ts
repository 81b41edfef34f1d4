import type { TicketStateView } from '../ticket.view';
import type { TicketVersionChange } from './ticket-version-change';

/** 2.12's `ticket_state` object, also the items of `ticket_type.ticket_states`. */
export function ticketStateObject(state: TicketStateView) {
  return {
    type: 'ticket_state' as const,
    id: state.id,
    category: state.category,
    internal_label: state.internalLabel,
    external_label: state.externalLabel,
  };
}

/**
 * 2.12: `ticket_state` becomes the state object (custom states show their own id and labels), the two label
 * fields go, and the ticket type lists its states. Archived states are left out of that list: the state object
 * has no `archived` field, and no update may move a ticket into one (README "Versions").
 */
export const ticketStateObjects: TicketVersionChange = {
  version: '2.12',
  description:
    '`ticket_state` is the state object `{type, id, category, internal_label, external_label}`, the two label ' +
    "fields are gone, and `ticket_type.ticket_states` lists the type's (unarchived) states",
  ticket: (body, view) => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- taken out: 2.12 has no label fields
    const { ticket_state_internal_label, ticket_state_external_label, ...rest } = body;
    return {
      ...rest,
      ticket_state: ticketStateObject(view.state),
      ticket_type: {
        ...body.ticket_type,
        ticket_states: {
          type: 'list',
          data: view.type.states.filter((state) => !state.archived).map(ticketStateObject),
        },
      },
      ticket_parts: body.ticket_parts,
    };
  },
};
