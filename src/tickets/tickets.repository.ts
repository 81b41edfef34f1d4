import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedStatement, runPrepared, runPreparedOnPool } from '../database/prepared-statement';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { storableText } from './attribute-values';
import type { AssignedToType, PartAttachment, UpdatedAttributeData } from './entities/ticket-part.entity';
import type { StateCategory } from './entities/ticket-state.entity';
import type { TicketCategory } from './entities/ticket-type.entity';
import type { AttributeValue } from './entities/ticket.entity';
import type { TicketPartView, TicketStateView, TicketTypeAttributeView } from './ticket.view';
import type { QueuedNotification, SubscriptionView } from './notification-topics';
import type { LockedTicket, NewPart, References, TicketChanges } from './update-plan';

export type AssigneeKind = 'admin' | 'team';

/** Who made an update and what it changed, for the audit row written with it. */
export type AuditRecord = {
  requestId: string;
  tokenId: string;
  /** The admin performing the update, when one is named; attribute and state changes are the bot's. */
  adminId: string | null;
  botId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  idempotencyKey: string | null;
  versionBefore: string;
  skipNotifications: boolean;
};

/** What an update queues for webhooks (BEHAVIOUR.md §7): its notifications and the ticket it leaves. */
export type Outbox = {
  notifications: readonly QueuedNotification[];
  /** encodeTicketSnapshot's JSON of the ticket as the update leaves it. */
  snapshot: string;
};

export type StoredResponse = {
  requestHash: Buffer;
  ticketId: string;
  status: number;
  etag: string;
  response: string;
};

/** The response shows at most this many parts (update-ticket-2.9.md "There is a limit of 500 parts"). */
export const PART_WINDOW = 500;

/** Ids are bigint in the database; anything else can never match and must not reach a cast. */
const BIGINT_ID = /^(0|[1-9]\d{0,17})$/;

export function isStoredId(id: string): boolean {
  return BIGINT_ID.test(id);
}

/** The ticket as TICKET_JSON builds it (timestamps in epoch milliseconds). */
type TicketJson = {
  id: string;
  version: string;
  ticket_number: string;
  attributes: Record<string, AttributeValue>;
  admin_assignee_id: string | null;
  team_assignee_id: string | null;
  is_shared: boolean;
  open: boolean;
  snoozed_until: number | null;
  company_id: string | null;
  previous_ticket_state_id: string | null;
  created_at: number;
  updated_at: number;
  state: StateJson;
  ticket_type: TypeJson;
  contacts: { id: string; external_id: string | null }[];
  bot_id: string;
  /** The database's clock, unix seconds. */
  now: number;
};

type StateJson = {
  id: string;
  category: StateCategory;
  internal_label: string;
  external_label: string;
  archived: boolean;
};

type TypeJson = {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: TicketCategory;
  archived: boolean;
  created_at: number;
  updated_at: number;
  states: StateJson[];
  attributes: {
    id: string;
    name: string;
    description: string;
    data_type: TicketTypeAttributeView['dataType'];
    input_options: TicketTypeAttributeView['inputOptions'];
    sort_order: number;
    required_to_create: boolean;
    required_to_create_for_contacts: boolean;
    visible_on_create: boolean;
    visible_to_contacts: boolean;
    is_default: boolean;
    archived: boolean;
    created_at: number;
    updated_at: number;
  }[];
};

type PartRow = {
  id: string;
  part_type: string;
  body: string | null;
  ticket_state: StateCategory | null;
  previous_ticket_state: StateCategory | null;
  assigned_to_type: AssignedToType | null;
  assigned_to_id: string | null;
  attachments: PartAttachment[];
  external_id: string | null;
  redacted: boolean;
  updated_attribute_data: UpdatedAttributeData | null;
  /** Unix seconds (float8, whole). */
  created_at: number;
  updated_at: number;
  author_id: string;
  author_type: AdminType;
  author_name: string;
  author_email: string;
  total_count: string;
};

/** Epoch milliseconds of a timestamp, for JSON (new Date() takes them as they are). */
const ms = (column: string) => `extract(epoch FROM ${column}) * 1000`;

const STATE_JSON = (s: string) =>
  `json_build_object('id', ${s}.id::text, 'category', ${s}.category, 'internal_label', ${s}.internal_label,
                     'external_label', ${s}.external_label, 'archived', ${s}.archived)`;

/**
 * Everything any version shows of a ticket but its parts, and what an update needs besides (the bot, the
 * version, the database's clock), as one JSON value: the type with its attributes and states, the state, the
 * contacts. `t` is the ticket row. A snooze that has run out reads as null (README "Versions").
 */
const TICKET_JSON = `json_build_object(
         'id', t.id::text, 'version', t.version::text, 'ticket_number', t.ticket_number, 'attributes', t.attributes,
         'admin_assignee_id', t.admin_assignee_id::text, 'team_assignee_id', t.team_assignee_id::text,
         'is_shared', t.is_shared, 'open', t.open,
         'snoozed_until', CASE WHEN t.snoozed_until > clock_timestamp() THEN floor(extract(epoch FROM t.snoozed_until)) END,
         'company_id', t.company_id, 'previous_ticket_state_id', t.previous_ticket_state_id::text,
         'created_at', ${ms('t.created_at')}, 'updated_at', ${ms('t.updated_at')},
         'state', (SELECT ${STATE_JSON('s')} FROM ticket_states s
                    WHERE s.workspace_id = t.workspace_id AND s.id = t.ticket_state_id),
         'ticket_type', (SELECT json_build_object(
                  'id', tt.id::text, 'name', tt.name, 'description', tt.description, 'icon', tt.icon,
                  'category', tt.category, 'archived', tt.archived,
                  'created_at', ${ms('tt.created_at')}, 'updated_at', ${ms('tt.updated_at')},
                  'states', (SELECT coalesce(json_agg(${STATE_JSON('ts')} ORDER BY ts.id), '[]')
                               FROM ticket_type_states tts
                               JOIN ticket_states ts ON ts.workspace_id = tts.workspace_id AND ts.id = tts.ticket_state_id
                              WHERE tts.workspace_id = tt.workspace_id AND tts.ticket_type_id = tt.id),
                  'attributes', (SELECT coalesce(json_agg(json_build_object(
                      'id', a.id::text, 'name', a.name, 'description', a.description, 'data_type', a.data_type,
                      'input_options', a.input_options, 'sort_order', a.sort_order,
                      'required_to_create', a.required_to_create,
                      'required_to_create_for_contacts', a.required_to_create_for_contacts,
                      'visible_on_create', a.visible_on_create, 'visible_to_contacts', a.visible_to_contacts,
                      'is_default', a.is_default, 'archived', a.archived,
                      'created_at', ${ms('a.created_at')}, 'updated_at', ${ms('a.updated_at')}) ORDER BY a.sort_order, a.id), '[]')
                    FROM ticket_type_attributes a
                    WHERE a.workspace_id = tt.workspace_id AND a.ticket_type_id = tt.id))
           FROM ticket_types tt WHERE tt.workspace_id = t.workspace_id AND tt.id = t.ticket_type_id),
         'contacts', (SELECT coalesce(json_agg(json_build_object('id', c.id, 'external_id', c.external_id)
                                              ORDER BY tc.position, c.id), '[]')
                        FROM ticket_contacts tc JOIN contacts c ON c.workspace_id = tc.workspace_id AND c.id = tc.contact_id
                       WHERE tc.workspace_id = t.workspace_id AND tc.ticket_id = t.id),
         'bot_id', (SELECT b.id::text FROM admins b WHERE b.workspace_id = t.workspace_id AND b.type = 'bot'),
         'now', extract(epoch FROM clock_timestamp()))`;

/** A part's columns as the response reads them, `p` the part and `a` its author. */
const PART_COLUMNS = `p.id::text, p.part_type, p.body, p.ticket_state, p.previous_ticket_state, p.assigned_to_type,
              p.assigned_to_id, p.attachments, p.external_id, p.redacted, p.updated_attribute_data,
              floor(extract(epoch FROM p.created_at))::float8 AS created_at,
              floor(extract(epoch FROM p.updated_at))::float8 AS updated_at,
              a.id::text AS author_id, a.type AS author_type, a.name AS author_name, a.email AS author_email`;

/** The newest PART_WINDOW parts of ticket $2 of workspace $1, newest first. */
const NEWEST_PARTS = `SELECT * FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY id DESC LIMIT ${PART_WINDOW}`;

// The statements, prepared once per connection (src/database/prepared-statement.ts).
/**
 * The ticket, locked, and the workspace's active webhook subscriptions (an index lookup that finds none in a
 * workspace without any): the update learns whom to notify without a round trip of its own, and sees a
 * subscription as soon as it is committed.
 */
const LOCK_TICKET = preparedStatement(
  'tickets.lock_for_update',
  `SELECT ${TICKET_JSON} AS ticket,
          (SELECT coalesce(json_agg(json_build_object('id', s.id::text, 'topics', s.topics, 'version', s.version)
                                    ORDER BY s.id), '[]')
             FROM webhook_subscriptions s WHERE s.workspace_id = t.workspace_id AND s.active) AS subscriptions
     FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2 FOR UPDATE OF t`,
);

/**
 * GET /tickets/{id} in one statement and without a transaction: the ticket as one JSON value in a first row, then
 * its newest PART_WINDOW parts, one row each, oldest first. Every row has every column; a ticket row's part
 * columns and a part row's `ticket` are null. No row: no such ticket.
 */
const READ_TICKET = preparedStatement(
  'tickets.read',
  `SELECT ticket, total_count, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
          assigned_to_id, attachments, external_id, redacted, updated_attribute_data, created_at, updated_at,
          author_id, author_type, author_name, author_email
     FROM (SELECT 0 AS row_order, NULL::bigint AS part_id, ${TICKET_JSON} AS ticket,
                  (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2) AS total_count,
                  NULL::text AS id, NULL::text AS part_type, NULL::text AS body, NULL::text AS ticket_state,
                  NULL::text AS previous_ticket_state, NULL::text AS assigned_to_type, NULL::text AS assigned_to_id,
                  NULL::jsonb AS attachments, NULL::text AS external_id, NULL::boolean AS redacted,
                  NULL::jsonb AS updated_attribute_data, NULL::float8 AS created_at, NULL::float8 AS updated_at,
                  NULL::text AS author_id, NULL::text AS author_type, NULL::text AS author_name,
                  NULL::text AS author_email
             FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2
           UNION ALL
           SELECT 1, p.id, NULL, NULL, ${PART_COLUMNS}
             FROM (${NEWEST_PARTS}) p
             JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id
          ) rows
    ORDER BY row_order, part_id`,
);

/**
 * A webhook event's parts (ticket-snapshot.ts): the newest PART_WINDOW parts of ticket $2 of workspace $1 up to
 * part $3, the newest when the event's update committed, oldest first.
 */
const PARTS_THROUGH = preparedStatement(
  'tickets.parts_through',
  `SELECT ${PART_COLUMNS}
     FROM (SELECT * FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2 AND id <= $3
            ORDER BY id DESC LIMIT ${PART_WINDOW}) p
     JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id
    ORDER BY p.id`,
);

/**
 * What an update's ids name in the workspace, in one query: whether the performing admin exists (the bot too),
 * whether the assignee is an admin or a team (BEHAVIOUR.md §2), whether the company exists. A null parameter
 * asks nothing.
 */
const FIND_REFERENCES = preparedStatement(
  'tickets.find_references',
  `SELECT EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $2) AS performer,
          EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $3 AND type = 'admin') AS assignee_admin,
          EXISTS (SELECT 1 FROM teams WHERE workspace_id = $1 AND id = $3) AS assignee_team,
          EXISTS (SELECT 1 FROM companies WHERE workspace_id = $1 AND id = $4) AS company`,
);

/**
 * The write and the response's read in one statement: the ticket's new values, its new parts and the audit
 * row, then the newest PART_WINDOW parts with their authors and the total count. Every part of a statement
 * sees the snapshot taken before it, so the new parts come from the INSERT's RETURNING and are merged with
 * the newest stored ones (all new parts have higher ids: the ticket row is locked). LEFT JOIN: one row even
 * when the ticket has no parts.
 *
 * The time is the clock's once the row lock is held (`clock_timestamp()`, not `now()`: that is the
 * transaction's start, before it queued for the lock, so a later version could get an earlier time), and
 * never earlier than the previous version's: updated_at, the parts' created_at and the audit rows never go
 * back along a ticket's history (issue #9). Parts and audit row take the ticket's new updated_at
 * (BEHAVIOUR.md §3: one created_at per update).
 *
 * Five parameters: $1 workspace_id, $2 ticket id, then three jsonb documents keyed by column name, the
 * ticket's new values ($3), the new parts ($4) and the audit row ($5); jsonb_to_record gives each key its
 * column's type, so a reader matches values to columns by name, not by counting.
 */
const APPLY_UPDATE_CTES = `WITH updated AS (
         UPDATE tickets
            SET (ticket_state_id, state, previous_ticket_state_id, attributes, admin_assignee_id, team_assignee_id,
                 is_shared, open, snoozed_until, company_id) = (
                  SELECT ticket_state_id, state, previous_ticket_state_id, attributes, admin_assignee_id,
                         team_assignee_id, is_shared, open, to_timestamp(snoozed_until), company_id
                    FROM jsonb_to_record($3::jsonb) AS ticket(ticket_state_id bigint, state text,
                         previous_ticket_state_id bigint, attributes jsonb, admin_assignee_id bigint,
                         team_assignee_id bigint, is_shared boolean, open boolean, snoozed_until float8, company_id text)),
                updated_at = greatest(clock_timestamp(), updated_at), version = version + 1
          WHERE workspace_id = $1 AND id = $2
         RETURNING updated_at, version
       ), inserted AS (
         INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, author_id, ticket_state,
                                   previous_ticket_state, assigned_to_type, assigned_to_id, updated_attribute_data,
                                   created_at, updated_at)
         SELECT $1, nextval('ticket_parts_id_seq'), $2, p->>'part_type', (p->>'author_id')::bigint,
                p->>'ticket_state', p->>'previous_ticket_state', p->>'assigned_to_type', p->>'assigned_to_id',
                p->'updated_attribute_data', updated.updated_at, updated.updated_at
           FROM updated,
                (SELECT p FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(p, ord) ORDER BY ord) parts
         RETURNING workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, updated_attribute_data, created_at,
                   updated_at, author_id
       ), audited AS (
         INSERT INTO audit_log (workspace_id, ticket_id, request_id, token_id, admin_id, bot_id, changes,
                                idempotency_key, version_before, version_after, skip_notifications, created_at)
         SELECT $1, $2, audit.request_id, audit.token_id, audit.admin_id, audit.bot_id, audit.changes,
                audit.idempotency_key, audit.version_before, updated.version, audit.skip_notifications,
                updated.updated_at
           FROM updated, jsonb_to_record($5::jsonb) AS audit(request_id text, token_id bigint, admin_id bigint,
                                     bot_id bigint, changes jsonb, idempotency_key text, version_before bigint,
                                     skip_notifications boolean)
         RETURNING id
       ), recent AS (
         SELECT * FROM (
           SELECT * FROM inserted
           UNION ALL
           (SELECT workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, updated_attribute_data, created_at,
                   updated_at, author_id
              FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2
             ORDER BY id DESC LIMIT ${PART_WINDOW})
         ) merged
         ORDER BY id DESC LIMIT ${PART_WINDOW}
       )`;

/** The response's rows: the ticket's new time and version, then its newest parts (one null row when none). */
const APPLY_UPDATE_SELECT = (extra = '') => `
       SELECT u.updated_at AS ticket_updated_at, u.version::text AS ticket_version,
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2)
                + (SELECT count(*) FROM inserted) AS total_count,${extra}
              ${PART_COLUMNS}
         FROM updated u
         LEFT JOIN (recent p JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id) ON true
        ORDER BY p.id`;

const APPLY_UPDATE = preparedStatement(
  'tickets.apply_update',
  `${APPLY_UPDATE_CTES}${APPLY_UPDATE_SELECT()}`,
);

/**
 * APPLY_UPDATE and the webhook outbox (BEHAVIOUR.md §7), in the same statement and so the same transaction: the
 * event (the ticket as this update leaves it: $7, the snapshot of ticket-snapshot.ts, at the update's time, with
 * the newest part id and the part count of that moment) and one delivery per subscription and topic ($6,
 * `[{subscription_id, topic}]`, in order; a subscription deleted or disabled since it was read is skipped), their
 * ids drawn after the row lock (commit order per ticket), and a NOTIFY that wakes the workers at COMMIT. Used only
 * when the update queues a notification, so a workspace without subscriptions pays nothing for it.
 */
const APPLY_UPDATE_NOTIFYING = preparedStatement(
  'tickets.apply_update_notifying',
  `${APPLY_UPDATE_CTES}, event AS (
         INSERT INTO webhook_events (workspace_id, ticket_id, ticket, parts_through, total_parts, created_at)
         SELECT $1, $2, $7::jsonb, (SELECT max(id) FROM recent),
                (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2)
                  + (SELECT count(*) FROM inserted),
                updated.updated_at
           FROM updated
         RETURNING id, created_at
       ), queued AS (
         INSERT INTO webhook_deliveries (workspace_id, notification_id, subscription_id, event_id, ticket_id, topic,
                                         next_attempt_at, created_at)
         SELECT $1, 'notif_' || gen_random_uuid(), s.id, event.id, $2, d.topic, event.created_at, event.created_at
           FROM event
          CROSS JOIN ROWS FROM (jsonb_to_recordset($6::jsonb) AS (subscription_id bigint, topic text))
                WITH ORDINALITY AS d(subscription_id, topic, ord)
           JOIN webhook_subscriptions s ON s.workspace_id = $1 AND s.id = d.subscription_id AND s.active
          ORDER BY d.ord
         RETURNING id
       ), notified AS (
         SELECT pg_notify('webhook_deliveries', '') WHERE EXISTS (SELECT 1 FROM queued)
       )${APPLY_UPDATE_SELECT(`
              (SELECT count(*) FROM notified) AS notified,`)}`,
);

const LOCK_IDEMPOTENCY_KEY = preparedStatement(
  'idempotency.lock_key',
  `SELECT pg_try_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0)) AS locked`,
);

const FIND_STORED_RESPONSE = preparedStatement(
  'idempotency.find_response',
  `SELECT request_hash, ticket_id::text, status, etag, response FROM idempotency_keys
          WHERE workspace_id = $1 AND key = $2 AND expires_at > now()`,
);

const STORE_RESPONSE = preparedStatement(
  'idempotency.store_response',
  `INSERT INTO idempotency_keys (workspace_id, key, request_hash, ticket_id, status, etag, response, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + interval '24 hours')
       ON CONFLICT (workspace_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, ticket_id = EXCLUDED.ticket_id, status = EXCLUDED.status,
             etag = EXCLUDED.etag, response = EXCLUDED.response, created_at = now(), expires_at = EXCLUDED.expires_at`,
);

const RECENT_PARTS = preparedStatement(
  'tickets.recent_parts',
  `SELECT ${PART_COLUMNS},
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2) AS total_count
         FROM (${NEWEST_PARTS}) p
         JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id
        ORDER BY p.id`,
);

/** What APPLY_UPDATE returns: the part columns (null when the ticket has no parts) and the ticket's new state. */
type AppliedRow = { [K in keyof PartRow]: PartRow[K] | null } & {
  ticket_updated_at: Date;
  ticket_version: string;
  total_count: string;
};

function toPartView(row: PartRow): TicketPartView {
  return {
    id: row.id,
    partType: row.part_type,
    body: row.body,
    ticketState: row.ticket_state,
    previousTicketState: row.previous_ticket_state,
    assignedToType: row.assigned_to_type,
    assignedToId: row.assigned_to_id,
    attachments: row.attachments,
    externalId: row.external_id,
    redacted: row.redacted,
    updatedAttributeData: row.updated_attribute_data,
    createdAtUnix: row.created_at,
    updatedAtUnix: row.updated_at,
    author: { id: row.author_id, type: row.author_type, name: row.author_name, email: row.author_email },
  };
}

/** A row of READ_TICKET: the ticket's (first) or a part's. */
type ReadRow = { [K in keyof PartRow]: PartRow[K] | null } & { ticket: TicketJson | null };

function toStateView(state: StateJson): TicketStateView {
  return {
    id: state.id,
    category: state.category,
    internalLabel: state.internal_label,
    externalLabel: state.external_label,
    archived: state.archived,
  };
}

function toLockedTicket(workspaceId: string, row: TicketJson): LockedTicket {
  const type = row.ticket_type;
  return {
    workspaceId,
    id: row.id,
    version: row.version,
    ticketNumber: row.ticket_number,
    state: toStateView(row.state),
    previousStateId: row.previous_ticket_state_id,
    attributes: row.attributes,
    adminAssigneeId: row.admin_assignee_id,
    teamAssigneeId: row.team_assignee_id,
    isShared: row.is_shared,
    open: row.open,
    snoozedUntil: row.snoozed_until,
    companyId: row.company_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    type: {
      id: type.id,
      name: type.name,
      description: type.description,
      icon: type.icon,
      category: type.category,
      archived: type.archived,
      createdAt: new Date(type.created_at),
      updatedAt: new Date(type.updated_at),
      states: type.states.map(toStateView),
      attributes: type.attributes.map((a) => ({
        id: a.id,
        name: a.name,
        description: a.description,
        dataType: a.data_type,
        inputOptions: a.input_options,
        order: a.sort_order,
        requiredToCreate: a.required_to_create,
        requiredToCreateForContacts: a.required_to_create_for_contacts,
        visibleOnCreate: a.visible_on_create,
        visibleToContacts: a.visible_to_contacts,
        isDefault: a.is_default,
        archived: a.archived,
        createdAt: new Date(a.created_at),
        updatedAt: new Date(a.updated_at),
      })),
    },
    contacts: row.contacts.map((c) => ({ id: c.id, externalId: c.external_id })),
    botId: row.bot_id,
    nowSeconds: row.now,
  };
}

/**
 * The SQL of an update, each method one round trip. Raw SQL where it lets one statement do the work of
 * several (the type, its attributes and the contacts come with the locked ticket as JSON).
 */
@Injectable()
export class TicketsRepository {
  /**
   * Locks the ticket row (`FOR UPDATE`) so concurrent updates of one ticket serialize, and reads the workspace's
   * active webhook subscriptions; null when the ticket is absent.
   */
  async findForUpdate(
    manager: EntityManager,
    workspaceId: string,
    id: string,
  ): Promise<{ ticket: LockedTicket; subscriptions: SubscriptionView[] } | null> {
    if (!isStoredId(id)) return null;
    const { rows } = await runPrepared<{ ticket: TicketJson; subscriptions: SubscriptionView[] }>(
      manager,
      LOCK_TICKET,
      [workspaceId, id],
    );
    const row = rows[0];
    return row ? { ticket: toLockedTicket(workspaceId, row.ticket), subscriptions: row.subscriptions } : null;
  }

  /**
   * GET /tickets/{id}: the ticket and its newest parts in one statement, on any pool connection (no transaction:
   * one statement reads one snapshot). Null when absent.
   */
  async readTicket(
    dataSource: DataSource,
    workspaceId: string,
    id: string,
  ): Promise<{ ticket: LockedTicket; parts: TicketPartView[]; total: number } | null> {
    if (!isStoredId(id)) return null;
    const { rows } = await runPreparedOnPool<ReadRow>(dataSource, READ_TICKET, [workspaceId, id]);
    const first = rows[0];
    if (!first?.ticket) return null;
    return {
      ticket: toLockedTicket(workspaceId, first.ticket),
      total: Number(first.total_count),
      parts: (rows.slice(1) as PartRow[]).map(toPartView),
    };
  }

  /** The parts a webhook event shows (PARTS_THROUGH); none when the ticket had none (`throughId` null). */
  async findPartsThrough(
    dataSource: DataSource,
    workspaceId: string,
    ticketId: string,
    throughId: string | null,
  ): Promise<TicketPartView[]> {
    if (throughId === null) return [];
    const { rows } = await runPreparedOnPool<PartRow>(dataSource, PARTS_THROUGH, [
      workspaceId,
      ticketId,
      throughId,
    ]);
    return rows.map(toPartView);
  }

  /** What the request's ids name (see FIND_REFERENCES), in one query. Ids that cannot exist are not asked. */
  async findReferences(
    manager: EntityManager,
    workspaceId: string,
    ids: { performerId?: string; assigneeId?: string; companyId?: string | null },
  ): Promise<References> {
    const numeric = (value: string | undefined) => (value !== undefined && isStoredId(value) ? value : null);
    const company = ids.companyId != null && storableText(ids.companyId) ? ids.companyId : null;
    const { rows } = await runPrepared<{
      performer: boolean;
      assignee_admin: boolean;
      assignee_team: boolean;
      company: boolean;
    }>(manager, FIND_REFERENCES, [workspaceId, numeric(ids.performerId), numeric(ids.assigneeId), company]);
    const row = rows[0];
    return {
      performerExists: row.performer,
      assignee: row.assignee_admin ? 'admin' : row.assignee_team ? 'team' : null,
      companyExists: row.company,
    };
  }

  /**
   * Writes the ticket's new values, its new parts and the audit row in one statement, all stamped with one
   * time, parts in the given order so their ids follow it. Bumps the version.
   */
  async applyUpdate(
    manager: EntityManager,
    workspaceId: string,
    ticketId: string,
    changes: TicketChanges,
    parts: readonly NewPart[],
    audit: AuditRecord,
    outbox?: Outbox,
  ): Promise<{ updatedAt: Date; version: string; parts: TicketPartView[]; total: number }> {
    const notifying = outbox !== undefined && outbox.notifications.length > 0;
    const { rows } = await runPrepared<AppliedRow>(
      manager,
      notifying ? APPLY_UPDATE_NOTIFYING : APPLY_UPDATE,
      [
        workspaceId,
        ticketId,
        // $3: the ticket's new values, keyed by column (the statement's jsonb_to_record names and types them).
        JSON.stringify({
          ticket_state_id: changes.stateId,
          state: changes.state,
          previous_ticket_state_id: changes.previousStateId,
          attributes: changes.attributes,
          admin_assignee_id: changes.adminAssigneeId,
          team_assignee_id: changes.teamAssigneeId,
          is_shared: changes.isShared,
          open: changes.open,
          snoozed_until: changes.snoozedUntil,
          company_id: changes.companyId,
        }),
        // $4: the new parts, in order.
        JSON.stringify(
          parts.map((part) => ({
            part_type: part.partType,
            author_id: part.authorId,
            ticket_state: part.ticketState ?? null,
            previous_ticket_state: part.previousTicketState ?? null,
            assigned_to_type: part.assignedToType ?? null,
            assigned_to_id: part.assignedToId ?? null,
            updated_attribute_data: part.updatedAttributeData ?? null,
          })),
        ),
        // $5: the audit row, keyed by column.
        JSON.stringify({
          request_id: audit.requestId,
          token_id: audit.tokenId,
          admin_id: audit.adminId,
          bot_id: audit.botId,
          changes: audit.changes,
          idempotency_key: audit.idempotencyKey,
          version_before: audit.versionBefore,
          skip_notifications: audit.skipNotifications,
        }),
        // $6 and $7 (APPLY_UPDATE_NOTIFYING): the notifications to queue and the ticket's snapshot.
        ...(notifying ? [JSON.stringify(outbox.notifications), outbox.snapshot] : []),
      ],
    );
    const first = rows[0];
    return {
      updatedAt: first.ticket_updated_at,
      version: first.ticket_version,
      total: Number(first.total_count),
      // A ticket without parts still gives one row, its part columns null.
      parts: first.id === null ? [] : (rows as PartRow[]).map(toPartView),
    };
  }

  /**
   * Takes the workspace's Idempotency-Key for this transaction; false when another request holds it now.
   * A statement of its own, so the next one's snapshot sees whatever the previous holder committed.
   */
  async lockIdempotencyKey(manager: EntityManager, workspaceId: string, key: string): Promise<boolean> {
    const { rows } = await runPrepared<{ locked: boolean }>(manager, LOCK_IDEMPOTENCY_KEY, [
      workspaceId,
      key,
    ]);
    return rows[0].locked;
  }

  /** The live (unexpired) stored response of a key, if any. */
  async findStoredResponse(
    manager: EntityManager,
    workspaceId: string,
    key: string,
  ): Promise<StoredResponse | null> {
    const { rows } = await runPrepared<{
      request_hash: Buffer;
      ticket_id: string;
      status: number;
      etag: string;
      response: string;
    }>(manager, FIND_STORED_RESPONSE, [workspaceId, key]);
    const row = rows[0];
    return row
      ? {
          requestHash: row.request_hash,
          ticketId: row.ticket_id,
          status: row.status,
          etag: row.etag,
          response: row.response,
        }
      : null;
  }

  /** Stores a response for its key for 24 h (replacing an expired record of the same key). */
  async storeResponse(
    manager: EntityManager,
    workspaceId: string,
    key: string,
    stored: StoredResponse,
  ): Promise<void> {
    await runPrepared(manager, STORE_RESPONSE, [
      workspaceId,
      key,
      stored.requestHash,
      stored.ticketId,
      stored.status,
      stored.etag,
      stored.response,
    ]);
  }

  /** Deletes expired idempotency records, a bounded batch at a time; returns how many. */
  async deleteExpiredResponses(manager: EntityManager, batch = 1000): Promise<number> {
    const result: [unknown[], number] = await manager.query(
      `DELETE FROM idempotency_keys WHERE ctid IN (
         SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
      [batch],
    );
    return result[1];
  }

  /** The newest `PART_WINDOW` parts, oldest first, with their authors and the ticket's total count. */
  async findRecentParts(
    manager: EntityManager,
    workspaceId: string,
    ticketId: string,
  ): Promise<{ parts: TicketPartView[]; total: number }> {
    const { rows } = await runPrepared<PartRow>(manager, RECENT_PARTS, [workspaceId, ticketId]);
    return {
      total: rows.length === 0 ? 0 : Number(rows[0].total_count),
      parts: rows.map(toPartView),
    };
  }
}
