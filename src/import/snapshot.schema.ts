import { ASSIGNED_TO_TYPES } from '../tickets/entities/ticket-part.entity';
import { DATA_TYPES } from '../tickets/entities/ticket-type-attribute.entity';
import { STATE_CATEGORIES } from '../tickets/entities/ticket-state.entity';
import { TICKET_CATEGORIES } from '../tickets/entities/ticket-type.entity';
import { ADMIN_TYPES } from '../workspaces/entities/admin.entity';

/** JSON Schema of a workspace snapshot (OPERATING.md "Workspace snapshot"): structure only; references are
 * checked by the importer. Ids may be given as strings or integers, as Intercom exports do both. */

/** The kinds of object a snapshot holds; each error about an unknown field names its kind. */
export type SnapshotObjectKind =
  | 'workspace'
  | 'admin'
  | 'team'
  | 'contact'
  | 'ticket state'
  | 'company'
  | 'ticket type'
  | 'ticket type attribute'
  | 'list item'
  | 'ticket'
  | 'ticket part'
  | 'part author'
  | 'part assignee'
  | 'updated attribute data'
  | 'updated attribute'
  | 'updated value';

/**
 * OPERATING.md: fields of Intercom's own object of each kind (the API response schemas up to 2.16,
 * shared/spec/openapi/intercom-<version>-tickets.openapi.yaml; admins, teams, contacts and companies from
 * Intercom's objects of those names) that this format does not use: accepted and ignored. Any other field the
 * format does not define is an error naming it, so a misspelling never imports silently. A field a later version
 * adds is refused until the format imports it or lists it here.
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
  // 2.12's `ticket_state_detailed` lists the state's types; the format reads a type's `ticket_state_ids`.
  'ticket state': ['type', 'ticket_types'],
  company: [
    'type',
    'app_id',
    'created_at',
    'updated_at',
    'last_request_at',
    'remote_created_at',
    'monthly_spend',
    'session_count',
    'user_count',
    'size',
    'website',
    'industry',
    'plan',
    'custom_attributes',
    'tags',
    'segments',
  ],
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
  // 2.12's `ticket_states` list object: the format reads `ticket_state_ids`.
  'ticket type': ['type', 'workspace_id', 'ticket_states', 'is_internal'],
  'ticket type attribute': ['type', 'workspace_id', 'ticket_type_id'],
  'list item': [],
  // `category` is the ticket type's; links are not modelled (BEHAVIOUR.md §6).
  ticket: [
    'type',
    'ticket_state_internal_label',
    'ticket_state_external_label',
    'ticket_type',
    'contacts',
    'category',
    'linked_objects',
  ],
  // No app packages or translations are modelled (BEHAVIOUR.md §6).
  'ticket part': ['type', 'app_package_code', 'translations'],
  'part author': ['name', 'email'],
  'part assignee': [],
  'updated attribute data': [],
  // 2.14's `type` tags ("attribute", "value"): not stored, the entity's shape has none.
  'updated attribute': ['type'],
  'updated value': ['type'],
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
const state = { enum: STATE_CATEGORIES };
const stateObjectFields = {
  id: numericId,
  category: state,
  internal_label: text,
  external_label: text,
};
/** A ticket's `ticket_state`: 2.9's category, or (2.12 on, as Intercom exports it) the state object. An
 * if/then/else rather than an anyOf, so ajv reports only the errors of the form given (parseSnapshot drops the
 * `if` error itself). */
const ticketState = {
  if: { type: 'object' },
  then: objectOf('ticket state', ['id', 'category'], stateObjectFields),
  else: state,
};
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
    ticket_states: {
      type: 'array',
      items: objectOf('ticket state', ['id', 'category', 'internal_label', 'external_label'], {
        ...stateObjectFields,
        internal_label: name,
        external_label: name,
        archived: { type: 'boolean' },
      }),
    },
    companies: {
      type: 'array',
      items: objectOf('company', ['id'], {
        id: { type: 'string', minLength: 1, maxLength: 255 },
        company_id: nullableText,
        name: nullableText,
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
        category: { enum: TICKET_CATEGORIES },
        ticket_state_ids: { type: 'array', items: numericId },
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
        ticket_state: ticketState,
        ticket_state_id: numericId,
        open: { type: 'boolean' },
        snoozed_until: { anyOf: [unixSeconds, { type: 'null' }] },
        company_id: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
        previous_ticket_state_id: optionalRef,
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
            updated_attribute_data: {
              ...objectOf('updated attribute data', ['attribute', 'value'], {
                attribute: objectOf('updated attribute', ['id', 'label'], { id: numericId, label: text }),
                value: objectOf('updated value', ['id', 'label'], {
                  // A list item's id or a value's text, null when cleared, or files' ids.
                  id: { type: ['string', 'null', 'array'], items: { type: 'integer' } },
                  label: { type: ['string', 'array'], items: { type: 'string' } },
                }),
              }),
              type: ['object', 'null'],
            },
          }),
        },
      }),
    },
  },
} as const;
