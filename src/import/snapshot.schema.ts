/** JSON Schema of a workspace snapshot (OPERATING.md "Workspace snapshot"): structure only; references are
 * checked by the importer. Ids may be given as strings or integers, as Intercom exports do both. */
const numericId = {
  anyOf: [
    { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})$' },
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
};
const optionalRef = { anyOf: [...numericId.anyOf, { type: 'null' }] };
/** 9999-12-31T23:59:59Z: far below 2^53, so a timestamp never loses precision. */
const unixSeconds = { type: 'integer', minimum: 0, maximum: 253402300799 };
const text = { type: 'string' };
const nullableText = { type: ['string', 'null'] };
const state = { enum: ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] };

export const SNAPSHOT_SCHEMA = {
  type: 'object',
  required: ['workspace'],
  properties: {
    workspace: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 255 },
        name: text,
        default_intercom_version: { type: 'string' },
        require_if_match: { type: 'boolean' },
      },
    },
    admins: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: numericId,
          type: { enum: ['admin', 'bot'] },
          name: { type: 'string', minLength: 1 },
          email: text,
        },
      },
    },
    teams: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: numericId,
          name: { type: 'string', minLength: 1 },
          admin_ids: { type: 'array', items: numericId },
        },
      },
    },
    contacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 255 },
          external_id: nullableText,
          role: { type: 'string' },
          email: nullableText,
        },
      },
    },
    ticket_types: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: numericId,
          name: { type: 'string', minLength: 1 },
          description: text,
          icon: text,
          archived: { type: 'boolean' },
          created_at: unixSeconds,
          updated_at: unixSeconds,
          ticket_type_attributes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'name', 'data_type'],
              properties: {
                id: numericId,
                name: { type: 'string', minLength: 1 },
                description: text,
                data_type: { enum: ['string', 'list', 'integer', 'decimal', 'boolean', 'datetime', 'files'] },
                input_options: {
                  type: ['object', 'null'],
                  properties: {
                    list_items: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['id', 'label'],
                        properties: {
                          id: { type: 'string', minLength: 1 },
                          label: { type: 'string', minLength: 1 },
                          archived: { type: 'boolean' },
                        },
                      },
                    },
                  },
                },
                order: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
                required_to_create: { type: 'boolean' },
                required_to_create_for_contacts: { type: 'boolean' },
                visible_on_create: { type: 'boolean' },
                visible_to_contacts: { type: 'boolean' },
                default: { type: 'boolean' },
                archived: { type: 'boolean' },
                created_at: unixSeconds,
                updated_at: unixSeconds,
              },
            },
          },
        },
      },
    },
    tickets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'ticket_type_id'],
        properties: {
          id: numericId,
          ticket_id: {
            anyOf: [
              { type: 'string', minLength: 1 },
              { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            ],
          },
          ticket_type_id: numericId,
          ticket_state: state,
          ticket_attributes: { type: 'object' },
          contact_ids: { type: 'array', items: { type: 'string', minLength: 1 } },
          admin_assignee_id: optionalRef,
          team_assignee_id: optionalRef,
          is_shared: { type: 'boolean' },
          created_at: unixSeconds,
          updated_at: unixSeconds,
          ticket_parts: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'part_type', 'author'],
              properties: {
                id: numericId,
                part_type: { type: 'string', minLength: 1 },
                body: nullableText,
                author: {
                  type: 'object',
                  required: ['id'],
                  properties: { type: { enum: ['admin', 'bot'] }, id: numericId },
                },
                ticket_state: state,
                previous_ticket_state: state,
                assigned_to: {
                  type: ['object', 'null'],
                  properties: { type: { enum: ['admin', 'team', 'nobody_admin'] }, id: optionalRef },
                },
                created_at: unixSeconds,
                updated_at: unixSeconds,
                attachments: { type: 'array', items: { type: 'object' } },
                external_id: nullableText,
                redacted: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
} as const;
