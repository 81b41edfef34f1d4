import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedStatement, runPrepared } from '../database/prepared-statement';
import type { AdminType } from '../workspaces/entities/admin.entity';
import type { AssignedToType, PartAttachment } from './entities/ticket-part.entity';
import type { AttributeValue, TicketState } from './entities/ticket.entity';
import type { TicketPartView, TicketTypeAttributeView, TicketView } from './ticket.view';

/** The ticket as locked for an update: everything but its parts. */
export type LockedTicket = Omit<TicketView, 'parts' | 'totalParts'> & { botId: string; version: string };

export type TicketChanges = {
  state: TicketState;
  attributes: Record<string, AttributeValue>;
  adminAssigneeId: string | null;
  teamAssigneeId: string | null;
  isShared: boolean;
};

export type NewPart = {
  partType: 'ticket_attribute_updated_by_admin' | 'ticket_state_updated_by_admin' | 'assignment';
  authorId: string;
  ticketState?: TicketState;
  previousTicketState?: TicketState;
  assignedToType?: AssignedToType;
  assignedToId?: string | null;
};

export type AssigneeKind = 'admin' | 'team';

/** Who made an update and what it changed, for the audit row written with it. */
export type AuditRecord = {
  requestId: string;
  tokenId: string;
  adminId: string | null;
  botId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  idempotencyKey: string | null;
  versionBefore: string;
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

type LockedRow = {
  id: string;
  version: string;
  ticket_number: string;
  state: TicketState;
  attributes: Record<string, AttributeValue>;
  admin_assignee_id: string | null;
  team_assignee_id: string | null;
  is_shared: boolean;
  created_at: Date;
  updated_at: Date;
  ticket_type: TypeJson;
  contacts: { id: string; external_id: string | null }[];
  bot_id: string;
};

type TypeJson = {
  id: string;
  name: string;
  description: string;
  icon: string;
  archived: boolean;
  created_at: string;
  updated_at: string;
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
    created_at: string;
    updated_at: string;
  }[];
};

type PartRow = {
  id: string;
  part_type: string;
  body: string | null;
  ticket_state: TicketState | null;
  previous_ticket_state: TicketState | null;
  assigned_to_type: AssignedToType | null;
  assigned_to_id: string | null;
  attachments: PartAttachment[];
  external_id: string | null;
  redacted: boolean;
  /** Unix seconds (float8, whole). */
  created_at: number;
  updated_at: number;
  author_id: string;
  author_type: AdminType;
  author_name: string;
  author_email: string;
  total_count: string;
};

// The statements, prepared once per connection (src/database/prepared-statement.ts).
const LOCK_TICKET = preparedStatement(
  'tickets.lock_for_update',
  `SELECT t.id, t.version::text, t.ticket_number, t.state, t.attributes, t.admin_assignee_id, t.team_assignee_id, t.is_shared,
              t.created_at, t.updated_at,
              (SELECT json_build_object(
                        'id', tt.id::text, 'name', tt.name, 'description', tt.description, 'icon', tt.icon,
                        'archived', tt.archived, 'created_at', tt.created_at, 'updated_at', tt.updated_at,
                        'attributes', (SELECT coalesce(json_agg(json_build_object(
                            'id', a.id::text, 'name', a.name, 'description', a.description, 'data_type', a.data_type,
                            'input_options', a.input_options, 'sort_order', a.sort_order,
                            'required_to_create', a.required_to_create,
                            'required_to_create_for_contacts', a.required_to_create_for_contacts,
                            'visible_on_create', a.visible_on_create, 'visible_to_contacts', a.visible_to_contacts,
                            'is_default', a.is_default, 'archived', a.archived,
                            'created_at', a.created_at, 'updated_at', a.updated_at) ORDER BY a.sort_order, a.id), '[]')
                          FROM ticket_type_attributes a
                          WHERE a.workspace_id = tt.workspace_id AND a.ticket_type_id = tt.id))
                 FROM ticket_types tt WHERE tt.workspace_id = t.workspace_id AND tt.id = t.ticket_type_id) AS ticket_type,
              (SELECT coalesce(json_agg(json_build_object('id', c.id, 'external_id', c.external_id)
                                        ORDER BY tc.position, c.id), '[]')
                 FROM ticket_contacts tc JOIN contacts c ON c.workspace_id = tc.workspace_id AND c.id = tc.contact_id
                 WHERE tc.workspace_id = t.workspace_id AND tc.ticket_id = t.id) AS contacts,
              (SELECT b.id::text FROM admins b WHERE b.workspace_id = t.workspace_id AND b.type = 'bot') AS bot_id
         FROM tickets t
        WHERE t.workspace_id = $1 AND t.id = $2
          FOR UPDATE OF t`,
);

const ASSIGNMENT_TARGETS = preparedStatement(
  'tickets.assignment_targets',
  `SELECT EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $2) AS performer,
              EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $3 AND type = 'admin') AS assignee_admin,
              EXISTS (SELECT 1 FROM teams WHERE workspace_id = $1 AND id = $3) AS assignee_team`,
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
 * column's type, so a reader matches values to columns by name, not by counting to fifteen.
 */
const APPLY_UPDATE = preparedStatement(
  'tickets.apply_update',
  `WITH updated AS (
         UPDATE tickets
            SET (state, attributes, admin_assignee_id, team_assignee_id, is_shared) = (
                  SELECT * FROM jsonb_to_record($3::jsonb) AS ticket(state text, attributes jsonb,
                                admin_assignee_id bigint, team_assignee_id bigint, is_shared boolean)),
                updated_at = greatest(clock_timestamp(), updated_at), version = version + 1
          WHERE workspace_id = $1 AND id = $2
         RETURNING updated_at, version
       ), inserted AS (
         INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, author_id, ticket_state,
                                   previous_ticket_state, assigned_to_type, assigned_to_id, created_at, updated_at)
         SELECT $1, nextval('ticket_parts_id_seq'), $2, p->>'part_type', (p->>'author_id')::bigint,
                p->>'ticket_state', p->>'previous_ticket_state', p->>'assigned_to_type', p->>'assigned_to_id',
                (SELECT updated_at FROM updated), (SELECT updated_at FROM updated)
           FROM (SELECT p FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(p, ord) ORDER BY ord) parts
         RETURNING workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, created_at, updated_at, author_id
       ), audited AS (
         INSERT INTO audit_log (workspace_id, ticket_id, request_id, token_id, admin_id, bot_id, changes,
                                idempotency_key, version_before, version_after, created_at)
         SELECT $1, $2, audit.request_id, audit.token_id, audit.admin_id, audit.bot_id, audit.changes,
                audit.idempotency_key, audit.version_before, updated.version, updated.updated_at
           FROM updated, jsonb_to_record($5::jsonb) AS audit(request_id text, token_id bigint, admin_id bigint,
                                     bot_id bigint, changes jsonb, idempotency_key text, version_before bigint)
         RETURNING id
       ), recent AS (
         SELECT * FROM (
           SELECT * FROM inserted
           UNION ALL
           (SELECT workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, created_at, updated_at, author_id
              FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2
             ORDER BY id DESC LIMIT ${PART_WINDOW})
         ) merged
         ORDER BY id DESC LIMIT ${PART_WINDOW}
       )
       SELECT u.updated_at AS ticket_updated_at, u.version::text AS ticket_version,
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2)
                + (SELECT count(*) FROM inserted) AS total_count,
              p.id::text, p.part_type, p.body, p.ticket_state, p.previous_ticket_state, p.assigned_to_type,
              p.assigned_to_id, p.attachments, p.external_id, p.redacted,
              floor(extract(epoch FROM p.created_at))::float8 AS created_at,
              floor(extract(epoch FROM p.updated_at))::float8 AS updated_at,
              a.id::text AS author_id, a.type AS author_type, a.name AS author_name, a.email AS author_email
         FROM updated u
         LEFT JOIN (recent p JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id) ON true
        ORDER BY p.id`,
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
  `SELECT p.id::text, p.part_type, p.body, p.ticket_state, p.previous_ticket_state, p.assigned_to_type,
              p.assigned_to_id, p.attachments, p.external_id, p.redacted,
              floor(extract(epoch FROM p.created_at))::float8 AS created_at,
              floor(extract(epoch FROM p.updated_at))::float8 AS updated_at,
              a.id::text AS author_id, a.type AS author_type, a.name AS author_name, a.email AS author_email,
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2) AS total_count
         FROM (SELECT * FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2
                ORDER BY id DESC LIMIT ${PART_WINDOW}) p
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
    createdAtUnix: row.created_at,
    updatedAtUnix: row.updated_at,
    author: { id: row.author_id, type: row.author_type, name: row.author_name, email: row.author_email },
  };
}

/**
 * The SQL of an update, each method one round trip. Raw SQL where it lets one statement do the work of
 * several (the type, its attributes and the contacts come with the locked ticket as JSON).
 */
@Injectable()
export class TicketsRepository {
  /** Locks the ticket row (`FOR UPDATE`) so concurrent updates of one ticket serialize; null when absent. */
  async findForUpdate(manager: EntityManager, workspaceId: string, id: string): Promise<LockedTicket | null> {
    if (!isStoredId(id)) return null;
    const { rows } = await runPrepared<LockedRow>(manager, LOCK_TICKET, [workspaceId, id]);
    const row = rows[0];
    if (!row) return null;
    return {
      workspaceId,
      id: row.id,
      version: row.version,
      ticketNumber: row.ticket_number,
      state: row.state,
      attributes: row.attributes,
      adminAssigneeId: row.admin_assignee_id,
      teamAssigneeId: row.team_assignee_id,
      isShared: row.is_shared,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      type: {
        id: row.ticket_type.id,
        name: row.ticket_type.name,
        description: row.ticket_type.description,
        icon: row.ticket_type.icon,
        archived: row.ticket_type.archived,
        createdAt: new Date(row.ticket_type.created_at),
        updatedAt: new Date(row.ticket_type.updated_at),
        attributes: row.ticket_type.attributes.map((a) => ({
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
    };
  }

  /**
   * Resolves an assignment's two ids in one query: whether the performing admin exists, and whether the
   * assignee is an admin or a team of this workspace (an admin wins if both share the id).
   */
  async findAssignmentTargets(
    manager: EntityManager,
    workspaceId: string,
    adminId: string,
    assigneeId: string,
  ): Promise<{ performerExists: boolean; assignee: AssigneeKind | null }> {
    const performerId = isStoredId(adminId) ? adminId : null;
    const targetId = isStoredId(assigneeId) ? assigneeId : null;
    if (performerId === null) return { performerExists: false, assignee: null };
    const { rows } = await runPrepared<{
      performer: boolean;
      assignee_admin: boolean;
      assignee_team: boolean;
    }>(manager, ASSIGNMENT_TARGETS, [workspaceId, performerId, targetId]);
    const row = rows[0];
    return {
      performerExists: row.performer,
      assignee: row.assignee_admin ? 'admin' : row.assignee_team ? 'team' : null,
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
  ): Promise<{ updatedAt: Date; version: string; parts: TicketPartView[]; total: number }> {
    const { rows } = await runPrepared<AppliedRow>(manager, APPLY_UPDATE, [
      workspaceId,
      ticketId,
      // $3: the ticket's new values, keyed by column (the statement's jsonb_to_record names and types them).
      JSON.stringify({
        state: changes.state,
        attributes: changes.attributes,
        admin_assignee_id: changes.adminAssigneeId,
        team_assignee_id: changes.teamAssigneeId,
        is_shared: changes.isShared,
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
      }),
    ]);
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
