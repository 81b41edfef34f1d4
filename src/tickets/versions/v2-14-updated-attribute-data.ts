import type { UpdatedAttributeData } from '../entities/ticket-part.entity';
import type { TicketVersionChange } from './ticket-version-change';

export const ATTRIBUTE_PART = 'ticket_attribute_updated_by_admin';

/** The recorded examples' shape (BEHAVIOUR.md §6); null for a part whose change is not known (imported without it). */
export function wireAttributeData(data: UpdatedAttributeData | null) {
  if (!data) return null;
  return {
    attribute: { type: 'attribute' as const, id: data.attribute.id, label: data.attribute.label },
    value: { type: 'value' as const, id: data.value.id, label: data.value.label },
  };
}

/** 2.14: attribute parts say which attribute changed and to what. */
export const updatedAttributeData: TicketVersionChange = {
  version: '2.14',
  description:
    '`updated_attribute_data` (`{attribute: {type, id, label}, value: {type, id, label}}`) on attribute parts',
  ticket: (body, view) => ({
    ...body,
    ticket_parts: {
      ...body.ticket_parts,
      // The body's parts are the view's, in the same order (ticket.mapper.ts).
      ticket_parts: body.ticket_parts.ticket_parts.map((part, index) =>
        part.part_type === ATTRIBUTE_PART
          ? { ...part, updated_attribute_data: wireAttributeData(view.parts[index].updatedAttributeData) }
          : part,
      ),
    },
  }),
};
