import type { EntityManager } from 'typeorm';
import { AUTH_CHANGED_CHANNEL } from '../auth/token-cache';
import type { AttributeRule } from '../tickets/attribute-values';
import {
  DEFAULT_STATE_LABELS,
  STATE_CATEGORIES,
  type StateCategory,
} from '../tickets/entities/ticket-state.entity';
import type { AdminType } from '../workspaces/entities/admin.entity';
import type { ExistingWorkspace, KnownAttribute, KnownState, WorkspaceStates } from './snapshot-checker';
import type {
  AdminRow,
  AttributeRow,
  CompanyRow,
  ContactRow,
  PartRow,
  TeamRow,
  TicketContactRow,
  TicketRow,
  TicketStateRow,
  TicketTypeRow,
  TypeStateRow,
  WorkspaceRow,
} from './snapshot-rows';

/** Rows per statement: one jsonb parameter each, far below PostgreSQL's and the driver's limits. */
const BATCH = 1000;
const SEQUENCES = [
  ['admins', 'admins_id_seq'],
  ['teams', 'teams_id_seq'],
  ['ticket_states', 'ticket_states_id_seq'],
  ['ticket_types', 'ticket_types_id_seq'],
  ['ticket_type_attributes', 'ticket_type_attributes_id_seq'],
  ['tickets', 'tickets_id_seq'],
  ['ticket_parts', 'ticket_parts_id_seq'],
] as const;

/** Called after each batch with the number of rows it wrote (progress on a terminal). */
export type OnRowsWritten = (rows: number) => void;

type AttributeRuleRow = {
  id: string;
  ticket_type_id: string;
  name: string;
  data_type: AttributeRule['dataType'];
  required_to_create: boolean;
  input_options: AttributeRule['inputOptions'];
};

/** The importer's SQL: every statement filters on, or writes, one workspace. Each method takes the manager
 * of the import's transaction first (like tickets.repository.ts). */
export class ImportRepository {
  /** Two imports of one workspace run one after the other. */
  async lockWorkspace(manager: EntityManager, workspaceId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [workspaceId]);
  }

  /** `restatedTypeIds`: the types whose `ticket_state_ids` the file gives (their stored tickets' states are read). */
  async loadExisting(
    manager: EntityManager,
    workspaceId: string,
    restatedTypeIds: readonly string[],
  ): Promise<ExistingWorkspace> {
    // One connection, one query at a time (a transaction's client must not be given concurrent queries).
    const query = <T>(sql: string): Promise<T[]> => manager.query(sql, [workspaceId]);
    const admins = await query<{ id: string; type: AdminType }>(
      'SELECT id::text, type FROM admins WHERE workspace_id = $1',
    );
    const teams = await query<{ id: string }>('SELECT id::text FROM teams WHERE workspace_id = $1');
    const contacts = await query<{ id: string }>('SELECT id FROM contacts WHERE workspace_id = $1');
    const companies = await query<{ id: string }>('SELECT id FROM companies WHERE workspace_id = $1');
    const types = await query<{ id: string }>('SELECT id::text FROM ticket_types WHERE workspace_id = $1');
    const tickets: { id: string; ticket_type_id: string; ticket_state_id: string }[] =
      restatedTypeIds.length === 0
        ? []
        : await manager.query(
            `SELECT id::text, ticket_type_id::text, ticket_state_id::text FROM tickets
              WHERE workspace_id = $1 AND ticket_type_id = ANY($2::bigint[])`,
            [workspaceId, restatedTypeIds],
          );
    return {
      adminTypes: new Map(admins.map((a) => [a.id, a.type])),
      teams: new Set(teams.map((t) => t.id)),
      contacts: new Set(contacts.map((c) => c.id)),
      companies: new Set(companies.map((c) => c.id)),
      types: new Set(types.map((t) => t.id)),
      attributes: await this.findAttributeRules(manager, workspaceId),
      ...(await this.findStates(manager, workspaceId)),
      ticketStates: new Map(
        tickets.map((t) => [t.id, { typeId: t.ticket_type_id, stateId: t.ticket_state_id }]),
      ),
    };
  }

  /** The workspace's ticket states, and each ticket type's. */
  async findStates(manager: EntityManager, workspaceId: string): Promise<WorkspaceStates> {
    const states: ({ id: string } & KnownState)[] = await manager.query(
      'SELECT id::text, category, archived FROM ticket_states WHERE workspace_id = $1',
      [workspaceId],
    );
    const associations: { ticket_type_id: string; ticket_state_id: string }[] = await manager.query(
      'SELECT ticket_type_id::text, ticket_state_id::text FROM ticket_type_states WHERE workspace_id = $1',
      [workspaceId],
    );
    const typeStates = new Map<string, string[]>();
    for (const row of associations) {
      typeStates.set(row.ticket_type_id, [
        ...(typeStates.get(row.ticket_type_id) ?? []),
        row.ticket_state_id,
      ]);
    }
    return {
      states: new Map(states.map((s) => [s.id, { category: s.category, archived: s.archived }])),
      typeStates,
    };
  }

  /** The workspace's attributes by ticket type id, then by name. */
  async findAttributeRules(
    manager: EntityManager,
    workspaceId: string,
  ): Promise<Map<string, Map<string, KnownAttribute>>> {
    const rows: AttributeRuleRow[] = await manager.query(
      `SELECT id::text, ticket_type_id::text, name, data_type, required_to_create, input_options
         FROM ticket_type_attributes WHERE workspace_id = $1`,
      [workspaceId],
    );
    const byType = new Map<string, Map<string, KnownAttribute>>();
    for (const row of rows) {
      const byName = byType.get(row.ticket_type_id) ?? new Map<string, KnownAttribute>();
      byType.set(row.ticket_type_id, byName);
      byName.set(row.name, {
        id: row.id,
        name: row.name,
        dataType: row.data_type,
        requiredToCreate: row.required_to_create,
        inputOptions: row.input_options,
      });
    }
    return byType;
  }

  async upsertWorkspace(manager: EntityManager, row: WorkspaceRow): Promise<void> {
    await manager.query(
      `INSERT INTO workspaces (workspace_id, name, default_intercom_version, require_if_match) VALUES ($1, $2, $3, $4)
       ON CONFLICT (workspace_id) DO UPDATE SET name = EXCLUDED.name,
         default_intercom_version = EXCLUDED.default_intercom_version, require_if_match = EXCLUDED.require_if_match`,
      [row.workspace_id, row.name, row.default_intercom_version, row.require_if_match],
    );
  }

  async upsertAdmins(manager: EntityManager, workspaceId: string, rows: readonly AdminRow[]): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO admins (workspace_id, id, type, name, email)
       SELECT $1, r.id, r.type, r.name, r.email FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, type text, name text, email text)
       ON CONFLICT (workspace_id, id) DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, email = EXCLUDED.email`,
      workspaceId,
      rows,
    );
  }

  async upsertTeams(manager: EntityManager, workspaceId: string, rows: readonly TeamRow[]): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO teams (workspace_id, id, name, admin_ids)
       SELECT $1, r.id, r.name, ARRAY(SELECT jsonb_array_elements_text(r.admin_ids)::bigint)
         FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, name text, admin_ids jsonb)
       ON CONFLICT (workspace_id, id) DO UPDATE SET name = EXCLUDED.name, admin_ids = EXCLUDED.admin_ids`,
      workspaceId,
      rows,
    );
  }

  async upsertContacts(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly ContactRow[],
    onRows?: OnRowsWritten,
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO contacts (workspace_id, id, external_id, role, email)
       SELECT $1, r.id, r.external_id, r.role, r.email
         FROM jsonb_to_recordset($2::jsonb) AS r(id text, external_id text, role text, email text)
       ON CONFLICT (workspace_id, id) DO UPDATE
         SET external_id = EXCLUDED.external_id, role = EXCLUDED.role, email = EXCLUDED.email`,
      workspaceId,
      rows,
      onRows,
    );
  }

  /** A state's category never changes (the checker refused that): its tickets' category copies stay right. */
  async upsertTicketStates(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly TicketStateRow[],
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO ticket_states (workspace_id, id, category, internal_label, external_label, archived)
       SELECT $1, r.id, r.category, r.internal_label, r.external_label, r.archived
         FROM jsonb_to_recordset($2::jsonb)
           AS r(id bigint, category text, internal_label text, external_label text, archived boolean)
       ON CONFLICT (workspace_id, id) DO UPDATE SET internal_label = EXCLUDED.internal_label,
         external_label = EXCLUDED.external_label, archived = EXCLUDED.archived`,
      workspaceId,
      rows,
    );
  }

  /**
   * BEHAVIOUR.md §6: every category without an unarchived state gets the default state of §1 (ids from the
   * sequence, in category order). A second import finds them and creates none.
   */
  async createMissingDefaultStates(manager: EntityManager, workspaceId: string): Promise<void> {
    const defaults = STATE_CATEGORIES.map((category: StateCategory, position) => ({
      position,
      category,
      internal_label: DEFAULT_STATE_LABELS[category].internal,
      external_label: DEFAULT_STATE_LABELS[category].external,
    }));
    await manager.query(
      `INSERT INTO ticket_states (workspace_id, category, internal_label, external_label)
       SELECT $1, d.category, d.internal_label, d.external_label
         FROM jsonb_to_recordset($2::jsonb) AS d(position integer, category text, internal_label text, external_label text)
        WHERE NOT EXISTS (SELECT 1 FROM ticket_states s
                           WHERE s.workspace_id = $1 AND s.category = d.category AND NOT s.archived)
        ORDER BY d.position`,
      [workspaceId, JSON.stringify(defaults)],
    );
  }

  async upsertCompanies(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly CompanyRow[],
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO companies (workspace_id, id, company_id, name)
       SELECT $1, r.id, r.company_id, r.name FROM jsonb_to_recordset($2::jsonb) AS r(id text, company_id text, name text)
       ON CONFLICT (workspace_id, id) DO UPDATE SET company_id = EXCLUDED.company_id, name = EXCLUDED.name`,
      workspaceId,
      rows,
    );
  }

  /** The types that list `ticket_state_ids` get exactly those states. */
  async replaceTypeStates(
    manager: EntityManager,
    workspaceId: string,
    typeIds: readonly string[],
    rows: readonly TypeStateRow[],
  ): Promise<void> {
    for (let i = 0; i < typeIds.length; i += BATCH) {
      await manager.query(
        'DELETE FROM ticket_type_states WHERE workspace_id = $1 AND ticket_type_id = ANY($2::bigint[])',
        [workspaceId, typeIds.slice(i, i + BATCH)],
      );
    }
    await upsertBatches(
      manager,
      `INSERT INTO ticket_type_states (workspace_id, ticket_type_id, ticket_state_id)
       SELECT $1, r.ticket_type_id, r.ticket_state_id
         FROM jsonb_to_recordset($2::jsonb) AS r(ticket_type_id bigint, ticket_state_id bigint)
       ON CONFLICT DO NOTHING`,
      workspaceId,
      rows,
    );
  }

  /** New types that list no states get the workspace's default state of each category (BEHAVIOUR.md §6). */
  async giveDefaultStates(
    manager: EntityManager,
    workspaceId: string,
    typeIds: readonly string[],
  ): Promise<void> {
    for (let i = 0; i < typeIds.length; i += BATCH) {
      await manager.query(
        `INSERT INTO ticket_type_states (workspace_id, ticket_type_id, ticket_state_id)
         SELECT $1, t.id, d.id
           FROM unnest($2::bigint[]) AS t(id)
          CROSS JOIN (SELECT DISTINCT ON (category) id FROM ticket_states
                       WHERE workspace_id = $1 AND NOT archived ORDER BY category, id) AS d
         ON CONFLICT DO NOTHING`,
        [workspaceId, typeIds.slice(i, i + BATCH)],
      );
    }
  }

  async upsertTicketTypes(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly TicketTypeRow[],
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO ticket_types (workspace_id, id, name, description, icon, archived, category, created_at, updated_at)
       SELECT $1, r.id, r.name, r.description, r.icon, r.archived, r.category,
              coalesce(to_timestamp(r.created_at), now()), coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
         FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, name text, description text, icon text, archived boolean,
           category text, created_at bigint, updated_at bigint)
       ON CONFLICT (workspace_id, id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
         icon = EXCLUDED.icon, archived = EXCLUDED.archived, category = EXCLUDED.category,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      workspaceId,
      rows,
    );
  }

  async upsertAttributes(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly AttributeRow[],
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO ticket_type_attributes (workspace_id, id, ticket_type_id, name, description, data_type, input_options,
         sort_order, required_to_create, required_to_create_for_contacts, visible_on_create, visible_to_contacts,
         is_default, archived, created_at, updated_at)
       SELECT $1, r.id, r.ticket_type_id, r.name, r.description, r.data_type, r.input_options, r.sort_order,
              r.required_to_create, r.required_to_create_for_contacts, r.visible_on_create, r.visible_to_contacts,
              r.is_default, r.archived, coalesce(to_timestamp(r.created_at), now()),
              coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
         FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, ticket_type_id bigint, name text, description text,
           data_type text, input_options jsonb, sort_order integer, required_to_create boolean,
           required_to_create_for_contacts boolean, visible_on_create boolean, visible_to_contacts boolean,
           is_default boolean, archived boolean, created_at bigint, updated_at bigint)
       ON CONFLICT (workspace_id, id) DO UPDATE SET ticket_type_id = EXCLUDED.ticket_type_id, name = EXCLUDED.name,
         description = EXCLUDED.description, data_type = EXCLUDED.data_type, input_options = EXCLUDED.input_options,
         sort_order = EXCLUDED.sort_order, required_to_create = EXCLUDED.required_to_create,
         required_to_create_for_contacts = EXCLUDED.required_to_create_for_contacts,
         visible_on_create = EXCLUDED.visible_on_create, visible_to_contacts = EXCLUDED.visible_to_contacts,
         is_default = EXCLUDED.is_default, archived = EXCLUDED.archived, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at`,
      workspaceId,
      rows,
    );
  }

  /** Sequences move past every imported id before anything new (the bot) draws from them. */
  async moveSequencesPastImportedIds(manager: EntityManager): Promise<void> {
    for (const [table, sequence] of SEQUENCES) await moveSequence(manager, table, sequence);
  }

  /** The workspace's Operator bot, when neither the workspace nor the file has one. */
  async createBot(manager: EntityManager, workspaceId: string, email: string): Promise<void> {
    await manager.query(
      `INSERT INTO admins (workspace_id, type, name, email) VALUES ($1, 'bot', 'Operator', $2)`,
      [workspaceId, email],
    );
  }

  async upsertTickets(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly TicketRow[],
    onRows?: OnRowsWritten,
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO tickets (workspace_id, id, ticket_number, ticket_type_id, ticket_state_id, state, open, snoozed_until,
         company_id, previous_ticket_state_id, attributes, admin_assignee_id, team_assignee_id, is_shared, created_at,
         updated_at)
       SELECT $1, r.id, r.ticket_number, r.ticket_type_id, r.ticket_state_id, r.state, r.open,
              to_timestamp(r.snoozed_until), r.company_id, r.previous_ticket_state_id, r.attributes, r.admin_assignee_id,
              r.team_assignee_id, r.is_shared, coalesce(to_timestamp(r.created_at), now()),
              coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
         FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, ticket_number text, ticket_type_id bigint,
           ticket_state_id bigint, state text, open boolean, snoozed_until bigint, company_id text,
           previous_ticket_state_id bigint, attributes jsonb, admin_assignee_id bigint, team_assignee_id bigint,
           is_shared boolean, created_at bigint, updated_at bigint)
       ON CONFLICT (workspace_id, id) DO UPDATE SET ticket_number = EXCLUDED.ticket_number,
         ticket_type_id = EXCLUDED.ticket_type_id, ticket_state_id = EXCLUDED.ticket_state_id, state = EXCLUDED.state,
         open = EXCLUDED.open, snoozed_until = EXCLUDED.snoozed_until, company_id = EXCLUDED.company_id,
         previous_ticket_state_id = EXCLUDED.previous_ticket_state_id, attributes = EXCLUDED.attributes,
         admin_assignee_id = EXCLUDED.admin_assignee_id, team_assignee_id = EXCLUDED.team_assignee_id,
         is_shared = EXCLUDED.is_shared, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
         version = tickets.version + 1
       -- Only a ticket that really changes gets a new version (and ETag): importing a file twice changes nothing.
       WHERE (tickets.ticket_number, tickets.ticket_type_id, tickets.ticket_state_id, tickets.state, tickets.open,
              tickets.snoozed_until, tickets.company_id, tickets.previous_ticket_state_id, tickets.attributes,
              tickets.admin_assignee_id, tickets.team_assignee_id, tickets.is_shared, tickets.created_at,
              tickets.updated_at)
         IS DISTINCT FROM (EXCLUDED.ticket_number, EXCLUDED.ticket_type_id, EXCLUDED.ticket_state_id, EXCLUDED.state,
              EXCLUDED.open, EXCLUDED.snoozed_until, EXCLUDED.company_id, EXCLUDED.previous_ticket_state_id,
              EXCLUDED.attributes, EXCLUDED.admin_assignee_id, EXCLUDED.team_assignee_id, EXCLUDED.is_shared,
              EXCLUDED.created_at, EXCLUDED.updated_at)`,
      workspaceId,
      rows,
      onRows,
    );
  }

  /** A ticket's contacts become the file's `contact_ids`, in order. */
  async replaceTicketContacts(
    manager: EntityManager,
    workspaceId: string,
    ticketIds: readonly string[],
    rows: readonly TicketContactRow[],
  ): Promise<void> {
    for (let i = 0; i < ticketIds.length; i += BATCH) {
      await manager.query(
        'DELETE FROM ticket_contacts WHERE workspace_id = $1 AND ticket_id = ANY($2::bigint[])',
        [workspaceId, ticketIds.slice(i, i + BATCH)],
      );
    }
    await upsertBatches(
      manager,
      `INSERT INTO ticket_contacts (workspace_id, ticket_id, contact_id, position)
       SELECT $1, r.ticket_id, r.contact_id, r.position
         FROM jsonb_to_recordset($2::jsonb) AS r(ticket_id bigint, contact_id text, position integer)
       ON CONFLICT DO NOTHING`,
      workspaceId,
      rows,
    );
  }

  async upsertParts(
    manager: EntityManager,
    workspaceId: string,
    rows: readonly PartRow[],
    onRows?: OnRowsWritten,
  ): Promise<void> {
    await upsertBatches(
      manager,
      `INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, body, author_id, ticket_state,
         previous_ticket_state, assigned_to_type, assigned_to_id, attachments, external_id, redacted,
         updated_attribute_data, created_at, updated_at)
       SELECT $1, r.id, r.ticket_id, r.part_type, r.body, r.author_id, r.ticket_state, r.previous_ticket_state,
              r.assigned_to_type, r.assigned_to_id, r.attachments, r.external_id, r.redacted,
              -- JSON null (the file's or the row's) is stored as SQL NULL.
              nullif(r.updated_attribute_data, 'null'::jsonb),
              coalesce(to_timestamp(r.created_at), now()), coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
         FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, ticket_id bigint, part_type text, body text, author_id bigint,
           ticket_state text, previous_ticket_state text, assigned_to_type text, assigned_to_id text, attachments jsonb,
           external_id text, redacted boolean, updated_attribute_data jsonb, created_at bigint, updated_at bigint)
       ON CONFLICT (workspace_id, id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id, part_type = EXCLUDED.part_type,
         body = EXCLUDED.body, author_id = EXCLUDED.author_id, ticket_state = EXCLUDED.ticket_state,
         previous_ticket_state = EXCLUDED.previous_ticket_state, assigned_to_type = EXCLUDED.assigned_to_type,
         assigned_to_id = EXCLUDED.assigned_to_id, attachments = EXCLUDED.attachments, external_id = EXCLUDED.external_id,
         redacted = EXCLUDED.redacted, updated_attribute_data = EXCLUDED.updated_attribute_data,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
      workspaceId,
      rows,
      onRows,
    );
    // Imported parts may carry ids above the sequence too.
    await moveSequence(manager, 'ticket_parts', 'ticket_parts_id_seq');
  }

  /** The workspace's default version and If-Match rule may have changed: servers drop cached principals
   * when this commits (auth/token-cache.ts). */
  async notifyAuthChanged(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_notify('${AUTH_CHANGED_CHANNEL}', 'imported')`);
  }
}

async function moveSequence(manager: EntityManager, table: string, sequence: string): Promise<void> {
  await manager.query(
    `SELECT setval('${sequence}', greatest((SELECT coalesce(max(id), 0) FROM ${table}),
                                           (SELECT last_value FROM ${sequence})))`,
  );
}

async function upsertBatches(
  manager: EntityManager,
  sql: string,
  workspaceId: string,
  rows: readonly object[],
  onRows?: OnRowsWritten,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await manager.query(sql, [workspaceId, JSON.stringify(batch)]);
    onRows?.(batch.length);
  }
}
