import { editProperty, editSchema, ref } from '../../docs/openapi-edit';
import type { TicketVersionChange } from './ticket-version-change';

/**
 * 2.11, document only: Intercom's 2.11 description adds `required` lists and stops marking a ticket type's
 * attributes nullable (2.12 marks them nullable again: v2-12-ticket-state-objects.ts). Bodies do not change.
 *
 * The `required` lists need no edit: from 2.9 on, this service's documents list as required every field that is
 * in every body (test/openapi.e2e-spec.ts), which covers 2.11's lists except where BEHAVIOUR.md §1 says a field
 * is not always there: `ticket_part.ticket_state` (state parts only) and attachments' `content_type`,
 * `filesize`, `width` and `height` (returned as stored). Those stay optional, listed as deliberate differences
 * in the README ("The API").
 */
export const requiredAndNullability: TicketVersionChange = {
  version: '2.11',
  description: "`required` lists in Intercom's description; a ticket type's attributes are never null",
  document: editSchema(
    'ticket_type_attribute_list',
    editProperty('ticket_type_attributes', (list) => ({ ...list, items: ref('ticket_type_attribute') })),
  ),
};
