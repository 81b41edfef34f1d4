import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  preparedStatement,
  runPrepared,
  runPreparedOnPool,
  runStatement,
  type StatementTarget,
} from '../database/prepared-statement';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { storableText } from './attribute-values';
import type { AssignedToType, PartAttachment, UpdatedAttributeData } from './entities/ticket-part.entity';
import type { StateCategory } from './entities/ticket-state.entity';
import type { TicketCategory } from './entities/ticket-type.entity';
import type { AttributeValue } from './entities/ticket.entity';
import type { TicketPartView, TicketStateView, TicketTypeAttributeView } from './ticket.view';
import type { QueuedNotification, SubscriptionView } from './notification-topics';
import type { LockedTicket, NewPart, References, TicketChanges } from './update-plan';

/** What an update reads, in one statement (READ_TICKET): the ticket, what its request names, its newest parts. */
export type TicketRead = {
  ticket: LockedTicket;
  subscriptions: SubscriptionView[];
  references: References;
  /** The newest PART_WINDOW parts, oldest first. */
  parts: TicketPartView[];
  total: number;
};

/** The ids a request names, asked about in the read (null: not named, or cannot exist). */
export type ReferenceIds = { performerId?: string; assigneeId?: string; companyId?: string | null };

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
 * Locks the ticket row for the rest of the transaction (the locking path: an Idempotency-Key, or a ticket whose
 * optimistic writes keep losing). A statement of its own: the read that follows takes its snapshot once the lock
 * is held, so it sees whatever the previous holder committed.
 */
const LOCK_TICKET = preparedStatement(
  'tickets.lock',
  `SELECT version::text FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
);

/**
 * Everything an update or GET reads, in one statement: a first row with the ticket (TICKET_JSON), the
 * workspace's active webhook subscriptions, what the request's ids name ($3 the performing admin, $4 the
 * assignee, $5 the company: whether they exist, an admin winning over a team of the same id, BEHAVIOUR.md §2;
 * null asks nothing) and the part count; then the newest PART_WINDOW parts, one row each, oldest first. Every row
 * has every column; the ticket row's part columns and the part rows' ticket columns are null. No row: no such
 * ticket. One statement reads one snapshot, so the ticket and its parts agree.
 */
const READ_TICKET = preparedStatement(
  'tickets.read',
  `SELECT ticket, subscriptions, performer, assignee_admin, assignee_team, company, total_count,
          id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type, assigned_to_id, attachments,
          external_id, redacted, updated_attribute_data, created_at, updated_at, author_id, author_type,
          author_name, author_email
     FROM (SELECT 0 AS row_order, NULL::bigint AS part_id, ${TICKET_JSON} AS ticket,
                  (SELECT coalesce(json_agg(json_build_object('id', s.id::text, 'topics', s.topics, 'version', s.version)
                                            ORDER BY s.id), '[]')
                     FROM webhook_subscriptions s WHERE s.workspace_id = t.workspace_id AND s.active) AS subscriptions,
                  EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $3) AS performer,
                  EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $4 AND type = 'admin') AS assignee_admin,
                  EXISTS (SELECT 1 FROM teams WHERE workspace_id = $1 AND id = $4) AS assignee_team,
                  EXISTS (SELECT 1 FROM companies WHERE workspace_id = $1 AND id = $5) AS company,
                  (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2) AS total_count,
                  NULL::text AS id, NULL::text AS part_type, NULL::text AS body, NULL::text AS ticket_state,
                  NULL::text AS previous_ticket_state, NULL::text AS assigned_to_type, NULL::text AS assigned_to_id,
                  NULL::jsonb AS attachments, NULL::text AS external_id, NULL::boolean AS redacted,
                  NULL::jsonb AS updated_attribute_data, NULL::float8 AS created_at, NULL::float8 AS updated_at,
                  NULL::text AS author_id, NULL::text AS author_type, NULL::text AS author_name,
                  NULL::text AS author_email
             FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2
           UNION ALL
           SELECT 1, p.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ${PART_COLUMNS}
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
 * The write, in one statement, of the version $6 that the update read, and only of it (README "Performance":
 * optimistic writes): the ticket's new values, its new parts and the audit row. When another update committed
 * since the read, the UPDATE matches no row (PostgreSQL re-checks the condition on the newest row version once
 * the row lock is free) and nothing at all is written: every insert reads `updated`. Otherwise it answers the
 * ticket's new time and version and its new parts with their authors, in order (one row with null part columns
 * when there are none); the response's other parts are the read's, unchanged since (same version).
 *
 * The time is the clock's once the row lock is held (`clock_timestamp()`: `now()` would be the statement's
 * start, before it queued for the lock), and never earlier than the previous version's: updated_at, the parts'
 * created_at and the audit rows never go back along a ticket's history (issue #9). Parts and audit row take the
 * ticket's new updated_at (BEHAVIOUR.md §3: one created_at per update). Part ids are drawn once the row lock is
 * held, so they follow the commit order.
 *
 * $1 workspace_id, $2 ticket id, then three jsonb documents keyed by column name, the ticket's new values ($3),
 * the new parts ($4) and the audit row ($5) (jsonb_to_record gives each key its column's type, so a reader
 * matches values to columns by name), and $6 the version read.
 */
const WRITE_CTES = `WITH updated AS (
         UPDATE tickets
            SET (ticket_state_id, state, previous_ticket_state_id, attributes, admin_assignee_id, team_assignee_id,
                 is_shared, open, snoozed_until, company_id) = (
                  SELECT ticket_state_id, state, previous_ticket_state_id, attributes, admin_assignee_id,
                         team_assignee_id, is_shared, open, to_timestamp(snoozed_until), company_id
                    FROM jsonb_to_record($3::jsonb) AS ticket(ticket_state_id bigint, state text,
                         previous_ticket_state_id bigint, attributes jsonb, admin_assignee_id bigint,
                         team_assignee_id bigint, is_shared boolean, open boolean, snoozed_until float8, company_id text)),
                updated_at = greatest(clock_timestamp(), updated_at), version = version + 1
          WHERE workspace_id = $1 AND id = $2 AND version = $6
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
       )`;

/** The write's rows: the ticket's new time (epoch ms) and version, then its new parts (one null row when none). */
const writeSelect = (extra = '') => `
       SELECT (extract(epoch FROM u.updated_at) * 1000)::float8 AS ticket_updated_at, u.version::text AS ticket_version,${extra}
              ${PART_COLUMNS}
         FROM updated u
         LEFT JOIN (inserted p JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id) ON true
        ORDER BY p.id`;

const WRITE_UPDATE = preparedStatement('tickets.write', `${WRITE_CTES}${writeSelect()}`);

/**
 * WRITE_UPDATE and the webhook outbox (BEHAVIOUR.md §7), in the same statement and so the same transaction: the
 * event (the ticket as this update leaves it: $8, the snapshot of ticket-snapshot.ts, at the update's time, with
 * the newest part id and the part count of that moment: the read's, $9 and $10, and the new parts) and one
 * delivery per subscription and topic ($7, `[{subscription_id, topic}]`, in order; a subscription deleted or
 * disabled since it was read is skipped), their ids drawn after the row lock (commit order per ticket), and a
 * NOTIFY that wakes the workers at COMMIT (its payload: the workspace). Used only when the update queues a notification, so a workspace
 * without subscriptions pays nothing for it.
 */
const WRITE_UPDATE_NOTIFYING = preparedStatement(
  'tickets.write_notifying',
  `${WRITE_CTES}, event AS (
         INSERT INTO webhook_events (workspace_id, ticket_id, ticket, parts_through, total_parts, created_at)
         SELECT $1, $2, $8::jsonb, coalesce((SELECT max(id) FROM inserted), $9::bigint),
                $10::integer + (SELECT count(*) FROM inserted), updated.updated_at
           FROM updated
         RETURNING id, created_at
       ), queued AS (
         INSERT INTO webhook_deliveries (workspace_id, notification_id, subscription_id, event_id, ticket_id, topic,
                                         next_attempt_at, created_at)
         SELECT $1, 'notif_' || gen_random_uuid(), s.id, event.id, $2, d.topic, event.created_at, event.created_at
           FROM event
          CROSS JOIN ROWS FROM (jsonb_to_recordset($7::jsonb) AS (subscription_id bigint, topic text))
                WITH ORDINALITY AS d(subscription_id, topic, ord)
           JOIN webhook_subscriptions s ON s.workspace_id = $1 AND s.id = d.subscription_id AND s.active
          ORDER BY d.ord
         RETURNING id
       ), notified AS (
         SELECT pg_notify('webhook_deliveries', $1) WHERE EXISTS (SELECT 1 FROM queued)
       )${writeSelect(`
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

/** What a write returns: the ticket's new time and version, and a new part's columns (null when none). */
type WrittenRow = { [K in keyof PartRow]: PartRow[K] | null } & {
  ticket_updated_at: number;
  ticket_version: string;
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
    author: { type: row.author_type, id: row.author_id, name: row.author_name, email: row.author_email },
  };
}

/** A row of READ_TICKET: the ticket's (first) or a part's. */
type ReadRow = { [K in keyof PartRow]: PartRow[K] | null } & {
  ticket: TicketJson | null;
  subscriptions: SubscriptionView[] | null;
  performer: boolean | null;
  assignee_admin: boolean | null;
  assignee_team: boolean | null;
  company: boolean | null;
};

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
  /** Locks the ticket row until the transaction ends (LOCK_TICKET); false when there is no such ticket. */
  async lock(manager: EntityManager, workspaceId: string, id: string): Promise<boolean> {
    if (!isStoredId(id)) return false;
    const { rows } = await runPrepared(manager, LOCK_TICKET, [workspaceId, id]);
    return rows.length > 0;
  }

  /**
   * The ticket, the workspace's subscriptions, what the request's ids name and the newest parts, in one statement
   * (READ_TICKET), in a transaction or on its own; null when there is no such ticket.
   */
  async read(
    target: StatementTarget,
    workspaceId: string,
    id: string,
    ids: ReferenceIds = {},
  ): Promise<TicketRead | null> {
    if (!isStoredId(id)) return null;
    const numeric = (value: string | undefined) => (value !== undefined && isStoredId(value) ? value : null);
    const company = ids.companyId != null && storableText(ids.companyId) ? ids.companyId : null;
    const { rows } = await runStatement<ReadRow>(target, READ_TICKET, [
      workspaceId,
      id,
      numeric(ids.performerId),
      numeric(ids.assigneeId),
      company,
    ]);
    const first = rows[0];
    if (!first?.ticket) return null;
    return {
      ticket: toLockedTicket(workspaceId, first.ticket),
      subscriptions: first.subscriptions ?? [],
      references: {
        performerExists: first.performer === true,
        assignee: first.assignee_admin ? 'admin' : first.assignee_team ? 'team' : null,
        companyExists: first.company === true,
      },
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

  /**
   * Writes the ticket's new values, its new parts and the audit row (and the outbox when it queues notifications)
   * in one statement, all stamped with one time, parts in the given order so their ids follow it, if the ticket
   * is still at the version read: the new time, version and parts; null when another update committed first
   * (nothing was written).
   */
  async write(
    target: StatementTarget,
    read: TicketRead,
    changes: TicketChanges,
    parts: readonly NewPart[],
    audit: AuditRecord,
    outbox?: Outbox,
  ): Promise<{ updatedAt: Date; version: string; parts: TicketPartView[] } | null> {
    const { ticket } = read;
    const notifying = outbox !== undefined && outbox.notifications.length > 0;
    const { rows } = await runStatement<WrittenRow>(
      target,
      notifying ? WRITE_UPDATE_NOTIFYING : WRITE_UPDATE,
      [
        ticket.workspaceId,
        ticket.id,
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
          version_before: ticket.version,
          skip_notifications: audit.skipNotifications,
        }),
        // $6: the version read; the write happens only if the ticket is still at it.
        ticket.version,
        // $7–$10 (WRITE_UPDATE_NOTIFYING): the notifications, the ticket's snapshot, its newest part and part count.
        ...(notifying
          ? [JSON.stringify(outbox.notifications), outbox.snapshot, read.parts.at(-1)?.id ?? null, read.total]
          : []),
      ],
    );
    const first = rows[0];
    if (!first) return null;
    return {
      updatedAt: new Date(first.ticket_updated_at),
      version: first.ticket_version,
      // Without new parts there is still one row, its part columns null.
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
}
