import { editSchema, setProperties } from '../../docs/openapi-edit';
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
  // Intercom's 2.14 description; only on attribute parts, hence optional.
  document: editSchema(
    'ticket_part',
    setProperties(
      {
        updated_attribute_data: {
          type: 'object',
          description:
            'The updated attribute data of the ticket part. Only present for attribute update parts (null when ' +
            'the change is not known: a part imported without it).',
          nullable: true,
          properties: {
            attribute: {
              type: 'object',
              description: 'Information about the attribute that was updated.',
              properties: {
                type: {
                  type: 'string',
                  description: "The type of the object. Always 'attribute'.",
                  enum: ['attribute'],
                  example: 'attribute',
                },
                id: { type: 'string', description: 'The unique identifier of the attribute.', example: '7' },
                label: {
                  type: 'string',
                  description: 'The human-readable name of the attribute.',
                  example: 'Progress',
                },
              },
              required: ['type', 'id', 'label'],
            },
            value: {
              type: 'object',
              description: 'The new value of the attribute.',
              properties: {
                type: {
                  type: 'string',
                  description: "The type of the object. Always 'value'.",
                  enum: ['value'],
                  example: 'value',
                },
                id: {
                  oneOf: [
                    {
                      type: 'string',
                      description:
                        'The value for text/number/decimal/boolean/date attributes, or the ID of the list option for ' +
                        'list attributes.',
                      nullable: true,
                      example: 'Fast',
                    },
                    {
                      type: 'array',
                      description: 'Array of file IDs for file attributes.',
                      items: { type: 'integer' },
                      example: [2],
                    },
                  ],
                },
                label: {
                  oneOf: [
                    {
                      type: 'string',
                      description: 'The display value for text/number/decimal/boolean/date/list attributes.',
                      example: 'Fast',
                    },
                    {
                      type: 'array',
                      description: 'Array of file names for file attributes.',
                      items: { type: 'string' },
                      example: ['photo.png'],
                    },
                  ],
                },
              },
              required: ['type', 'id', 'label'],
            },
          },
          required: ['attribute', 'value'],
        },
      },
      'optional',
    ),
  ),
};
