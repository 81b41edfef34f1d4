import type { SchemaObject } from '@nestjs/swagger';
import {
  editDocument,
  editProperty,
  editSchema,
  addSchemas,
  ref,
  setProperties,
} from '../../docs/openapi-edit';
import { TICKET_CATEGORIES } from '../entities/ticket-type.entity';
import type { TicketVersionChange } from './ticket-version-change';

/** Links between tickets and conversations are not modelled: always the empty list (BEHAVIOUR.md §6). */
const NO_LINKED_OBJECTS = Object.freeze({
  type: 'list',
  data: Object.freeze([]),
  total_count: 0,
  has_more: false,
});

/**
 * `snoozed_until`'s example in the request: far in the future, so that "Try it out" snoozes the demo ticket
 * instead of answering 400 (a past time is refused, BEHAVIOUR.md §6). 2100-01-01T00:00:00Z.
 */
export const EXAMPLE_SNOOZED_UNTIL = 4_102_444_800;

const CATEGORY: SchemaObject = { type: 'string', enum: [...TICKET_CATEGORIES], example: 'Customer' };

/** 2.10: the ticket type's category (on the ticket and its type), open / snoozed, linked objects. */
export const categoryOpenSnooze: TicketVersionChange = {
  version: '2.10',
  description:
    "`category` (the ticket type's) on the ticket and on `ticket_type`; `open`, `snoozed_until` (null when not " +
    'snoozed) and `linked_objects` (always empty) on the ticket; `open` and `snoozed_until` in the request',
  ticket: (body, view) => ({
    ...body,
    category: view.type.category,
    ticket_type: { ...body.ticket_type, category: view.type.category },
    open: view.open,
    snoozed_until: view.snoozedUntil,
    linked_objects: NO_LINKED_OBJECTS,
  }),
  // Intercom's 2.10 description (descriptions and examples are Intercom's unless said otherwise).
  document: editDocument(
    addSchemas({
      linked_object: {
        type: 'object',
        description: 'A linked conversation or ticket.',
        properties: {
          type: {
            type: 'string',
            description: 'ticket or conversation',
            enum: ['ticket', 'conversation'],
            example: 'ticket',
          },
          id: { type: 'string', description: 'The ID of the linked object', example: '7583' },
          category: {
            type: 'string',
            description: 'Category of the Linked Ticket Object.',
            enum: [...TICKET_CATEGORIES, null],
            example: 'Customer',
            nullable: true,
          },
        },
        required: ['type', 'id', 'category'],
      },
      linked_object_list: {
        type: 'object',
        description:
          'An object containing metadata about linked conversations and linked tickets. Up to 1000 can be ' +
          'returned. Links are not modelled by this service: always the empty list.',
        properties: {
          type: { type: 'string', description: 'Always list.', enum: ['list'], example: 'list' },
          total_count: { type: 'integer', description: 'The total number of linked objects.', example: 0 },
          has_more: {
            type: 'boolean',
            description: 'Whether or not there are more linked objects than returned.',
            example: false,
          },
          data: {
            type: 'array',
            description: 'An array containing the linked conversations and linked tickets.',
            items: ref('linked_object'),
          },
        },
        required: ['type', 'total_count', 'has_more', 'data'],
      },
    }),
    editSchema(
      'ticket',
      setProperties(
        {
          category: { ...CATEGORY, description: 'Category of the Ticket.' },
          open: {
            type: 'boolean',
            description: 'Whether or not the ticket is open. If false, the ticket is closed.',
            example: true,
          },
          // Nullable, as the description says and BEHAVIOUR.md §6 decides (Intercom's schema omits `nullable`).
          snoozed_until: {
            type: 'integer',
            nullable: true,
            description:
              'The time the ticket will be snoozed until as a UTC Unix timestamp. If null, the ticket is not ' +
              'currently snoozed.',
            example: 1663597260,
          },
          linked_objects: ref('linked_object_list'),
        },
        'always',
      ),
    ),
    editSchema(
      'ticket_type',
      setProperties({ category: { ...CATEGORY, description: 'Category of the Ticket Type.' } }, 'always'),
    ),
    editSchema(
      'ticket_part_author',
      editProperty('type', (type) => ({
        ...type,
        description: 'The type of the author',
        enum: ['admin', 'bot', 'team', 'user'],
      })),
    ),
    editSchema(
      'update_ticket_request',
      setProperties(
        {
          open: {
            type: 'boolean',
            description:
              'Specify if a ticket is open. Set to false to close a ticket. Closing a ticket will also unsnooze it.',
            example: true,
          },
          snoozed_until: {
            type: 'integer',
            description:
              'The time you want the ticket to reopen: unix seconds, in the future, on an open ticket (not with ' +
              '`open: false`).',
            example: EXAMPLE_SNOOZED_UNTIL,
          },
        },
        'optional',
      ),
    ),
  ),
};
