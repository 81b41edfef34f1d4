import type { TicketVersionChange } from './ticket-version-change';

/** Links between tickets and conversations are not modelled: always the empty list (BEHAVIOUR.md §6). */
const NO_LINKED_OBJECTS = Object.freeze({
  type: 'list',
  data: Object.freeze([]),
  total_count: 0,
  has_more: false,
});

/** 2.10: the ticket type's category (on the ticket and its type), open / snoozed, linked objects. */
export const categoryOpenSnooze: TicketVersionChange = {
  version: '2.10',
  description:
    "`category` (the ticket type's) on the ticket and on `ticket_type`; `open`, `snoozed_until` (null when not " +
    'snoozed) and `linked_objects` (always empty) on the ticket',
  ticket: (body, view) => ({
    ...body,
    category: view.type.category,
    ticket_type: { ...body.ticket_type, category: view.type.category },
    open: view.open,
    snoozed_until: view.snoozedUntil,
    linked_objects: NO_LINKED_OBJECTS,
  }),
};
