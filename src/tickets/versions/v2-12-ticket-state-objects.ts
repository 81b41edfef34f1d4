import type { SchemaObject } from '@nestjs/swagger';
import { ERROR_MESSAGES } from '../../common/errors/error-messages';
import { DEMO_IDS } from '../../docs/demo-ids';
import {
  editDocument,
  editResponseExamples,
  editProperty,
  editSchema,
  addSchemas,
  nullableRef,
  ref,
  removeProperties,
  setProperties,
} from '../../docs/openapi-edit';
import { STATE_CATEGORIES } from '../entities/ticket-state.entity';
import type { TicketStateView } from '../ticket.view';
import { errorExamples } from '../tickets.api-docs';
import { TICKET_PATH, type TicketVersionChange } from './ticket-version-change';

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

const LIST_TYPE: SchemaObject = {
  type: 'string',
  description: "String representing the object's type. Always has the value `list`.",
  enum: ['list'],
  example: 'list',
};

/**
 * 2.12: `ticket_state` becomes the state object (custom states show their own id and labels), the two label
 * fields go, and the ticket type lists its states. Archived states are left out of that list: the state object
 * has no `archived` field, and no update may move a ticket into one. The request names the exact state
 * (`ticket_state_id`) instead of a category (`state`, still accepted: BEHAVIOUR.md §6), and the company.
 */
export const ticketStateObjects: TicketVersionChange = {
  version: '2.12',
  description:
    '`ticket_state` is the state object `{type, id, category, internal_label, external_label}`, the two label ' +
    "fields are gone, and `ticket_type.ticket_states` lists the type's (unarchived) states; the request has " +
    '`ticket_state_id` and `company_id` instead of `state`',
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
  // Intercom's 2.12 description.
  document: editDocument(
    addSchemas({
      ticket_state: {
        type: 'object',
        description: 'A ticket state, used to define the state of a ticket.',
        nullable: true,
        properties: {
          type: {
            type: 'string',
            description: "String representing the object's type. Always has the value `ticket_state`.",
            enum: ['ticket_state'],
            example: 'ticket_state',
          },
          id: { type: 'string', description: 'The id of the ticket state', example: '12' },
          category: {
            type: 'string',
            description: 'The category of the ticket state',
            enum: [...STATE_CATEGORIES],
            example: 'in_progress',
          },
          internal_label: {
            type: 'string',
            description:
              'The state the ticket is currently in, in a human readable form - visible in Intercom',
            example: 'With Dev Team',
          },
          external_label: {
            type: 'string',
            description:
              'The state the ticket is currently in, in a human readable form - visible to customers, in the ' +
              'messenger, email and tickets portal.',
            example: 'In Progress',
          },
        },
        required: ['type', 'id', 'category', 'internal_label', 'external_label'],
      },
    }),
    editSchema(
      'ticket',
      removeProperties('ticket_state_internal_label', 'ticket_state_external_label'),
      setProperties({ ticket_state: ref('ticket_state') }, 'always'),
    ),
    editSchema(
      'ticket_type',
      setProperties(
        {
          ticket_states: {
            type: 'object',
            description:
              "A list of ticket states associated with a given ticket type (this service lists the type's " +
              'unarchived states).',
            properties: {
              type: LIST_TYPE,
              data: {
                type: 'array',
                description: 'A list of ticket states associated with a given ticket type.',
                items: ref('ticket_state'),
              },
            },
            required: ['type', 'data'],
          },
        },
        'always',
      ),
    ),
    // Intercom marks a ticket type's attributes nullable again (as up to 2.10; 2.11 did not).
    editSchema(
      'ticket_type_attribute_list',
      editProperty('ticket_type_attributes', (list) => ({
        ...list,
        items: nullableRef('ticket_type_attribute'),
      })),
    ),
    editSchema(
      'update_ticket_request',
      removeProperties('state'),
      setProperties(
        {
          ticket_state_id: {
            type: 'string',
            description:
              'The ID of the ticket state associated with the ticket type (an integer is accepted too). The ' +
              "state must be one of the ticket type's, not archived.",
            example: DEMO_IDS.ticketState,
          },
          // Nullable: null removes the company, as Intercom's own description says ("Set to nil").
          company_id: {
            type: 'string',
            nullable: true,
            description:
              'The ID of the company that the ticket is associated with. The unique identifier for the company ' +
              'which is given by Intercom. Set to nil to remove company.',
            example: DEMO_IDS.company,
          },
        },
        'optional',
      ),
    ),
    editResponseExamples(TICKET_PATH, 'put', '400', (examples) => ({
      ...examples,
      ...errorExamples([
        {
          summary: 'Ticket state id invalid',
          code: 'ticket_state_id_invalid',
          message: ERROR_MESSAGES.ticketStateIdInvalid,
          field: 'ticket_state_id',
        },
      ]),
    })),
  ),
};
