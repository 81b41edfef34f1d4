import { ASSIGNED_TO_TYPES } from '../tickets/entities/ticket-part.entity';
import { DATA_TYPES } from '../tickets/entities/ticket-type-attribute.entity';
import { TICKET_STATES } from '../tickets/entities/ticket.entity';
import { ADMIN_TYPES } from '../workspaces/entities/admin.entity';

/** JSON Schema of a workspace snapshot (OPERATING.md "Workspace snapshot"): structure only; references are
 * checked by the importer. Ids may be given as strings or integers, as Intercom exports do both. */

/** The kinds of object a snapshot holds; each error about an unknown field names its kind. */
export type SnapshotObjectKind =
  | 'workspace'
  | 'admin'
  | 'team'
  | 'contact'
  | 'ticket type'
  | 'ticket type attribute'
  | 'list item'
  | 'ticket'
  | 'ticket part'
  | 'part author'
  | 'part assignee';

/**
 * OPERATING.md: fields of Intercom's own object of each kind (the API 2.9 response schemas,
 * shared/spec/openapi/intercom-2.9-tickets.openapi.yaml; admins, teams and contacts from Intercom's objects of
 * those names) that this format does not use: accepted and ignored. Any other field the format does not define
 * is an error naming it, so a misspelling never imports silently. Fields of later versions (`open`,
 * `ticket_state_id`, ...) are refused until the format imports them: move them into the schema then.
 */
const IGNORED_INTERCOM_FIELDS: Readonly<Record<SnapshotObjectKind, readonly string[]>> = {
  workspace: ['type'],
  admin: [
    'email_verified',
    'job_title',
    'away_mode_enabled',
    'away_mode_reassign',
    'has_inbox_seat',
    'team_ids',
    'team_priority_level',
    'avatar',
  ],
  team: ['type', 'admin_priority_level'],
  contact: [
    'type',
    'workspace_id',
    'phone',
    'formatted_phone',
    'name',
    'owner_id',
    'has_hard_bounced',
    'marked_email_as_spam',
    'unsubscribed_from_emails',
    'created_at',
    'updated_at',
    'signed_up_at',
    'last_seen_at',
    'last_replied_at',
    'last_contacted_at',
    'last_email_opened_at',
    'last_email_clicked_at',
    'language_override',
    'browser',
    'browser_version',
    'browser_language',
    'os',
    'android_app_name',
    'android_app_version',
    'android_device',
    'android_os_version',
    'android_sdk_version',
    'android_last_seen_at',
    'ios_app_name',
    'ios_app_version',
    'ios_device',
    'ios_os_version',
    'ios_sdk_version',
    'ios_last_seen_at',
    'custom_attributes',
    'avatar',
    'tags',
    'notes',
    'companies',
    'location',
    'social_profiles',
  ],
  'ticket type': ['type', 'workspace_id'],
  'ticket type attribute': ['type', 'workspace_id', 'ticket_type_id'],
  'list item': [],
  ticket: ['type', 'ticket_state_internal_label', 'ticket_state_external_label', 'ticket_type', 'contacts'],
  'ticket part': ['type'],
  'part author': ['name', 'email'],
  'part assignee': [],
};

/** An object of one kind: the format's fields, Intercom's ignored ones, and nothing else. */
function objectOf<P extends Record<string, object>>(
  kind: SnapshotObjectKind,
  required: readonly (keyof P & string)[],
  properties: P,
) {
  const ignored = Object.fromEntries(IGNORED_INTERCOM_FIELDS[kind].map((field) => [field, {}]));
  return {
    type: 'object',
    // Read back by describeSchemaError (ajv's `verbose` hands it the object's schema).
    title: kind,
    required,
    properties: { ...ignored, ...properties },
    additionalProperties: false,
  } as const;
}

const numericId = {
  anyOf: [
    { type: 'string', pattern: '^(0|[1-9][0-9]{0,17})$' },
    { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ],
};
const optionalRef = { anyOf: [...numericId.anyOf, { type: 'null' }] };
/** 9999-12-31T23:59:59Z: far below 2^53, so a timestamp never loses precision. */
const unixSeconds = { type: 'integer', minimum: 0, maximum: 253402300799 };
/** Every object kind with a lifetime has both, as Intercom's objects do. */
const timestamps = { created_at: unixSeconds, updated_at: unixSeconds };
const name = { type: 'string', minLength: 1 };
const text = { type: 'string' };
const nullableText = { type: ['string', 'null'] };
const state = { enum: TICKET_STATES };
const adminType = { enum: ADMIN_TYPES };

export const SNAPSHOT_SCHEMA = {
  type: 'object',
  required: ['workspace'],
  // The top level is this format's own; a misspelt list ("ticket") must not be skipped silently either.
  additionalProperties: false,
  title: 'snapshot',
  properties: {
    workspace: objectOf('workspace', ['id'], {
      id: { type: 'string', minLength: 1, maxLength: 255 },
      name: text,
      default_intercom_version: { type: 'string' },
      require_if_match: { type: 'boolean' },
    }),
    admins: {
      type: 'array',
      items: objectOf('admin', ['id', 'name'], {
        id: numericId,
        type: adminType,
        name,
        email: text,
      }),
    },
    teams: {
      type: 'array',
      items: objectOf('team', ['id', 'name'], {
        id: numericId,
        name,
        admin_ids: { type: 'array', items: numericId },
      }),
    },
    contacts: {
      type: 'array',
      items: objectOf('contact', ['id'], {
        id: { type: 'string', minLength: 1, maxLength: 255 },
        external_id: nullableText,
        role: { type: 'string' },
        email: nullableText,
      }),
    },
    ticket_types: {
      type: 'array',
      items: objectOf('ticket type', ['id', 'name'], {
        id: numericId,
        name,
        description: text,
        icon: text,
        archived: { type: 'boolean' },
        ...timestamps,
        ticket_type_attributes: {
          type: 'array',
          items: objectOf('ticket type attribute', ['id', 'name', 'data_type'], {
            id: numericId,
            name,
            description: text,
            data_type: { enum: DATA_TYPES },
            // Free-form in Intercom (`multiline`, ...): only its list items are read.
            input_options: {
              type: ['object', 'null'],
              properties: {
                list_items: {
                  type: 'array',
                  items: objectOf('list item', ['id', 'label'], {
                    id: { type: 'string', minLength: 1 },
                    label: { type: 'string', minLength: 1 },
                    archived: { type: 'boolean' },
                  }),
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
            ...timestamps,
          }),
        },
      }),
    },
    tickets: {
      type: 'array',
      items: objectOf('ticket', ['id', 'ticket_type_id'], {
        id: numericId,
        ticket_id: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          ],
        },
        ticket_type_id: numericId,
        ticket_state: state,
        // Attribute names are data: any key, checked against the ticket type by the checker.
        ticket_attributes: { type: 'object' },
        contact_ids: { type: 'array', items: { type: 'string', minLength: 1 } },
        admin_assignee_id: optionalRef,
        team_assignee_id: optionalRef,
        is_shared: { type: 'boolean' },
        ...timestamps,
        ticket_parts: {
          type: 'array',
          items: objectOf('ticket part', ['id', 'part_type', 'author'], {
            id: numericId,
            part_type: { type: 'string', minLength: 1 },
            body: nullableText,
            author: objectOf('part author', ['id'], { type: adminType, id: numericId }),
            ticket_state: state,
            previous_ticket_state: state,
            assigned_to: {
              ...objectOf('part assignee', [], {
                type: { enum: ASSIGNED_TO_TYPES },
                id: optionalRef,
              }),
              type: ['object', 'null'],
            },
            ...timestamps,
            attachments: { type: 'array', items: { type: 'object' } },
            external_id: nullableText,
            redacted: { type: 'boolean' },
          }),
        },
      }),
    },
  },
} as const;
