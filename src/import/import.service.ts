import { AUTH_CHANGED_CHANNEL } from '../auth/token-cache';
import { Injectable } from '@nestjs/common';
import Ajv, { type ErrorObject } from 'ajv';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import { parseVersion } from '../common/versioning/versions';
import { type AttributeRule, normalizeAttributeValue, storableText } from '../tickets/attribute-values';
import type { AttributeValue } from '../tickets/entities/ticket.entity';
import { SNAPSHOT_SCHEMA } from './snapshot.schema';
import type { ImportSummary, Snapshot, SnapshotPart, SnapshotTicket } from './snapshot.types';

/** Everything wrong with a snapshot, each line naming the object and the field. Nothing was written. */
export class ImportError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ImportError';
  }
}

const MAX_PROBLEMS = 50;
const BATCH = 1000;
const SEQUENCES = [
  ['admins', 'admins_id_seq'],
  ['teams', 'teams_id_seq'],
  ['ticket_types', 'ticket_types_id_seq'],
  ['ticket_type_attributes', 'ticket_type_attributes_id_seq'],
  ['tickets', 'tickets_id_seq'],
  ['ticket_parts', 'ticket_parts_id_seq'],
] as const;

const validateSnapshot = new Ajv({ allErrors: true, strict: false }).compile(SNAPSHOT_SCHEMA);

const id = (value: string | number): string => String(value);
const unassigned = (value: string | number | null | undefined): boolean =>
  value === undefined || value === null || String(value) === '0';

/** OPERATING.md "Workspace snapshot": one transaction, idempotent, ids kept, sequences moved past them. */
@Injectable()
export class ImportService {
  constructor(private readonly dataSource: DataSource) {}

  /** Parses a file's text; `source` names it in messages. */
  parse(text: string, source: string): Snapshot {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ImportError([`${source}: not valid JSON: ${(error as Error).message}`]);
    }
    if (!validateSnapshot(parsed)) {
      throw new ImportError((validateSnapshot.errors ?? []).slice(0, MAX_PROBLEMS).map(describeSchemaError));
    }
    const unstorable = unstorableStrings(parsed, '').slice(0, MAX_PROBLEMS);
    if (unstorable.length > 0) {
      throw new ImportError(
        unstorable.map((path) => `${path}: contains a NUL character or an unpaired UTF-16 surrogate`),
      );
    }
    return parsed;
  }

  async import(snapshot: Snapshot): Promise<ImportSummary> {
    return this.dataSource.transaction(async (manager) => {
      const workspaceId = snapshot.workspace.id;
      // Two imports of one workspace run one after the other.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [workspaceId]);
      const existing = await loadExisting(manager, workspaceId);
      const problems = checkSnapshot(snapshot, existing);
      if (problems.length > 0) throw new ImportError(problems.slice(0, MAX_PROBLEMS));
      const result = await write(manager, snapshot, existing);
      // The workspace's default version and If-Match rule may have changed: servers drop cached principals
      // when this commits (auth/token-cache.ts).
      await manager.query(`SELECT pg_notify('${AUTH_CHANGED_CHANNEL}', 'imported')`);
      return result;
    });
  }
}

type Existing = {
  adminTypes: Map<string, 'admin' | 'bot'>;
  teams: Set<string>;
  contacts: Set<string>;
  types: Set<string>;
  /** Attributes by ticket type id, then by name. */
  attributes: Map<string, Map<string, AttributeRule & { id: string }>>;
};

async function loadExisting(manager: EntityManager, workspaceId: string): Promise<Existing> {
  // One connection, one query at a time (a transaction's client must not be given concurrent queries).
  const query = (sql: string): Promise<Record<string, unknown>[]> => manager.query(sql, [workspaceId]);
  const admins = await query('SELECT id::text, type FROM admins WHERE workspace_id = $1');
  const teams = await query('SELECT id::text FROM teams WHERE workspace_id = $1');
  const contacts = await query('SELECT id FROM contacts WHERE workspace_id = $1');
  const types = await query('SELECT id::text FROM ticket_types WHERE workspace_id = $1');
  const attributes = await query(
    `SELECT id::text, ticket_type_id::text, name, data_type, required_to_create, input_options
       FROM ticket_type_attributes WHERE workspace_id = $1`,
  );
  const byType = new Map<string, Map<string, AttributeRule & { id: string }>>();
  for (const a of attributes) {
    const typeId = a.ticket_type_id as string;
    if (!byType.has(typeId)) byType.set(typeId, new Map());
    byType.get(typeId)!.set(a.name as string, {
      id: a.id as string,
      name: a.name as string,
      dataType: a.data_type as AttributeRule['dataType'],
      requiredToCreate: a.required_to_create as boolean,
      inputOptions: a.input_options as AttributeRule['inputOptions'],
    });
  }
  return {
    adminTypes: new Map(admins.map((a) => [a.id as string, a.type as 'admin' | 'bot'])),
    teams: new Set(teams.map((t) => t.id as string)),
    contacts: new Set(contacts.map((c) => c.id as string)),
    types: new Set(types.map((t) => t.id as string)),
    attributes: byType,
  };
}

/** Every reference and value checked against the file and what the workspace already holds. */
function checkSnapshot(s: Snapshot, existing: Existing): string[] {
  const problems: string[] = [];
  const duplicates = (kind: string, ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((value, index) => {
      if (seen.has(value))
        problems.push(`${kind}[${index}]: id "${value}" appears more than once in ${kind}`);
      seen.add(value);
    });
  };
  if (
    s.workspace.default_intercom_version !== undefined &&
    !parseVersion(s.workspace.default_intercom_version)
  ) {
    problems.push(
      `workspace.default_intercom_version: "${s.workspace.default_intercom_version}" is not a supported version (1.0-2.9, Preview, Unstable)`,
    );
  }

  const admins = new Map(existing.adminTypes);
  const fileBots = (s.admins ?? []).filter((a) => a.type === 'bot');
  duplicates(
    'admins',
    (s.admins ?? []).map((a) => id(a.id)),
  );
  if (fileBots.length > 1)
    problems.push(`admins: ${fileBots.length} entries have "type": "bot"; a workspace has one Operator bot`);
  const existingBot = [...existing.adminTypes].find(([, type]) => type === 'bot')?.[0];
  (s.admins ?? []).forEach((a, i) => {
    const type = a.type ?? 'admin';
    if (type === 'bot' && existingBot !== undefined && existingBot !== id(a.id)) {
      problems.push(
        `admins[${i}].id: the workspace's Operator bot is already admin "${existingBot}", not "${id(a.id)}"`,
      );
    }
    if (type === 'admin' && existing.adminTypes.get(id(a.id)) === 'bot') {
      problems.push(
        `admins[${i}].type: admin "${id(a.id)}" is the workspace's Operator bot and must keep "type": "bot"`,
      );
    }
    admins.set(id(a.id), type);
  });

  const teams = new Set(existing.teams);
  duplicates(
    'teams',
    (s.teams ?? []).map((t) => id(t.id)),
  );
  (s.teams ?? []).forEach((t, i) => {
    teams.add(id(t.id));
    (t.admin_ids ?? []).forEach((adminId, j) => {
      if (!admins.has(id(adminId)))
        problems.push(`teams[${i}].admin_ids[${j}]: admin "${id(adminId)}" not found`);
    });
  });

  const contacts = new Set(existing.contacts);
  duplicates(
    'contacts',
    (s.contacts ?? []).map((c) => c.id),
  );
  (s.contacts ?? []).forEach((c) => contacts.add(c.id));

  const attributes = new Map([...existing.attributes].map(([typeId, byName]) => [typeId, new Map(byName)]));
  duplicates(
    'ticket_types',
    (s.ticket_types ?? []).map((t) => id(t.id)),
  );
  const attributeIds = new Map<string, string>();
  for (const [typeId, byName] of existing.attributes)
    for (const a of byName.values()) attributeIds.set(a.id, typeId);
  (s.ticket_types ?? []).forEach((t, i) => {
    const typeId = id(t.id);
    const byName = attributes.get(typeId) ?? new Map<string, AttributeRule & { id: string }>();
    attributes.set(typeId, byName);
    const namesInFile = new Set<string>();
    (t.ticket_type_attributes ?? []).forEach((a, j) => {
      const where = `ticket_types[${i}].ticket_type_attributes[${j}]`;
      const owner = attributeIds.get(id(a.id));
      if (owner !== undefined && owner !== typeId) {
        problems.push(`${where}.id: attribute "${id(a.id)}" already belongs to ticket type "${owner}"`);
      }
      attributeIds.set(id(a.id), typeId);
      if (namesInFile.has(a.name))
        problems.push(`${where}.name: "${a.name}" appears twice in this ticket type`);
      namesInFile.add(a.name);
      const clash = byName.get(a.name);
      if (clash && clash.id !== id(a.id)) {
        problems.push(
          `${where}.name: "${a.name}" is already attribute "${clash.id}" of ticket type "${typeId}"`,
        );
      }
      byName.set(a.name, {
        id: id(a.id),
        name: a.name,
        dataType: a.data_type,
        requiredToCreate: a.required_to_create ?? false,
        inputOptions: a.input_options ?? null,
      });
    });
  });

  duplicates(
    'tickets',
    (s.tickets ?? []).map((t) => id(t.id)),
  );
  const partIds = new Set<string>();
  (s.tickets ?? []).forEach((t, i) => {
    const where = `tickets[${i}] (id "${id(t.id)}")`;
    const typeId = id(t.ticket_type_id);
    if (!attributes.has(typeId) && !existing.types.has(typeId)) {
      problems.push(`${where}.ticket_type_id: ticket type "${typeId}" not found`);
    }
    (t.contact_ids ?? []).forEach((contactId, j) => {
      if (!contacts.has(contactId))
        problems.push(`${where}.contact_ids[${j}]: contact "${contactId}" not found`);
    });
    if (!unassigned(t.admin_assignee_id) && admins.get(id(t.admin_assignee_id!)) !== 'admin') {
      problems.push(`${where}.admin_assignee_id: admin "${id(t.admin_assignee_id!)}" not found`);
    }
    if (!unassigned(t.team_assignee_id) && !teams.has(id(t.team_assignee_id!))) {
      problems.push(`${where}.team_assignee_id: team "${id(t.team_assignee_id!)}" not found`);
    }
    const rules = attributes.get(typeId) ?? new Map<string, AttributeRule>();
    for (const [name, value] of Object.entries(t.ticket_attributes ?? {})) {
      const rule = rules.get(name);
      if (!rule) {
        problems.push(`${where}.ticket_attributes.${name}: not an attribute of ticket type "${typeId}"`);
        continue;
      }
      const problem = checkImportedValue(rule, value);
      if (problem) problems.push(`${where}.ticket_attributes.${name}: ${problem}`);
    }
    (t.ticket_parts ?? []).forEach((p, j) => {
      const partWhere = `${where}.ticket_parts[${j}]`;
      if (partIds.has(id(p.id))) problems.push(`${partWhere}.id: part "${id(p.id)}" appears more than once`);
      partIds.add(id(p.id));
      const authorType = admins.get(id(p.author.id));
      if (!authorType) problems.push(`${partWhere}.author.id: admin "${id(p.author.id)}" not found`);
      else if (p.author.type && p.author.type !== authorType) {
        problems.push(
          `${partWhere}.author.type: admin "${id(p.author.id)}" is a ${authorType}, not a ${p.author.type}`,
        );
      }
      const target = p.assigned_to;
      if (target?.type === 'admin' && !unassigned(target.id) && !admins.has(id(target.id!))) {
        problems.push(`${partWhere}.assigned_to.id: admin "${id(target.id!)}" not found`);
      }
      if (target?.type === 'team' && !unassigned(target.id) && !teams.has(id(target.id!))) {
        problems.push(`${partWhere}.assigned_to.id: team "${id(target.id!)}" not found`);
      }
    });
  });
  return problems;
}

/** The API's value rules, except that stored data may hold files and empty required attributes. */
function checkImportedValue(rule: AttributeRule, value: unknown): string | null {
  if (rule.dataType === 'files')
    return value === null || Array.isArray(value) ? null : 'must be an array of files';
  if (value === null) return null;
  try {
    normalizeAttributeValue(rule, value);
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}

function importedValue(rule: AttributeRule | undefined, value: unknown): AttributeValue {
  if (!rule || rule.dataType === 'files' || value === null) return value as AttributeValue;
  return normalizeAttributeValue(rule, value);
}

async function write(manager: EntityManager, s: Snapshot, existing: Existing): Promise<ImportSummary> {
  const ws = s.workspace.id;
  await manager.query(
    `INSERT INTO workspaces (workspace_id, name, default_intercom_version, require_if_match) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id) DO UPDATE SET name = EXCLUDED.name,
       default_intercom_version = EXCLUDED.default_intercom_version, require_if_match = EXCLUDED.require_if_match`,
    [
      ws,
      s.workspace.name ?? ws,
      parseVersion(s.workspace.default_intercom_version ?? '2.9') ?? '2.9',
      s.workspace.require_if_match ?? false,
    ],
  );

  const admins = (s.admins ?? []).map((a) => ({
    id: id(a.id),
    type: a.type ?? 'admin',
    name: a.name,
    email: a.email ?? (a.type === 'bot' ? botEmail(ws) : ''),
  }));
  await upsert(
    manager,
    `INSERT INTO admins (workspace_id, id, type, name, email)
     SELECT $1, r.id, r.type, r.name, r.email FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, type text, name text, email text)
     ON CONFLICT (workspace_id, id) DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, email = EXCLUDED.email`,
    ws,
    admins,
  );

  await upsert(
    manager,
    `INSERT INTO teams (workspace_id, id, name, admin_ids)
     SELECT $1, r.id, r.name, ARRAY(SELECT jsonb_array_elements_text(r.admin_ids)::bigint)
       FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, name text, admin_ids jsonb)
     ON CONFLICT (workspace_id, id) DO UPDATE SET name = EXCLUDED.name, admin_ids = EXCLUDED.admin_ids`,
    ws,
    (s.teams ?? []).map((t) => ({ id: id(t.id), name: t.name, admin_ids: (t.admin_ids ?? []).map(id) })),
  );

  await upsert(
    manager,
    `INSERT INTO contacts (workspace_id, id, external_id, role, email)
     SELECT $1, r.id, r.external_id, r.role, r.email
       FROM jsonb_to_recordset($2::jsonb) AS r(id text, external_id text, role text, email text)
     ON CONFLICT (workspace_id, id) DO UPDATE
       SET external_id = EXCLUDED.external_id, role = EXCLUDED.role, email = EXCLUDED.email`,
    ws,
    (s.contacts ?? []).map((c) => ({
      id: c.id,
      external_id: c.external_id ?? null,
      role: c.role ?? 'user',
      email: c.email ?? null,
    })),
  );

  const types = s.ticket_types ?? [];
  await upsert(
    manager,
    `INSERT INTO ticket_types (workspace_id, id, name, description, icon, archived, created_at, updated_at)
     SELECT $1, r.id, r.name, r.description, r.icon, r.archived,
            coalesce(to_timestamp(r.created_at), now()), coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
       FROM jsonb_to_recordset($2::jsonb)
         AS r(id bigint, name text, description text, icon text, archived boolean, created_at bigint, updated_at bigint)
     ON CONFLICT (workspace_id, id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
       icon = EXCLUDED.icon, archived = EXCLUDED.archived, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
    ws,
    types.map((t) => ({
      id: id(t.id),
      name: t.name,
      description: t.description ?? '',
      icon: t.icon ?? '',
      archived: t.archived ?? false,
      created_at: t.created_at ?? null,
      updated_at: t.updated_at ?? null,
    })),
  );

  const attributeRows = types.flatMap((t) =>
    (t.ticket_type_attributes ?? []).map((a, index) => ({
      id: id(a.id),
      ticket_type_id: id(t.id),
      name: a.name,
      description: a.description ?? '',
      data_type: a.data_type,
      input_options: a.input_options ?? null,
      sort_order: a.order ?? index,
      required_to_create: a.required_to_create ?? false,
      required_to_create_for_contacts: a.required_to_create_for_contacts ?? false,
      visible_on_create: a.visible_on_create ?? true,
      visible_to_contacts: a.visible_to_contacts ?? true,
      is_default: a.default ?? false,
      archived: a.archived ?? false,
      created_at: a.created_at ?? null,
      updated_at: a.updated_at ?? null,
    })),
  );
  await upsert(
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
    ws,
    attributeRows,
  );

  // Sequences move past every imported id before anything new (the bot) draws from them.
  for (const [table, sequence] of SEQUENCES) {
    await manager.query(
      `SELECT setval('${sequence}', greatest((SELECT coalesce(max(id), 0) FROM ${table}),
                                             (SELECT last_value FROM ${sequence})))`,
    );
  }
  if (![...existing.adminTypes.values(), ...admins.map((a) => a.type)].includes('bot')) {
    await manager.query(
      `INSERT INTO admins (workspace_id, type, name, email) VALUES ($1, 'bot', 'Operator', $2)`,
      [ws, botEmail(ws)],
    );
  }

  const rules = await attributeRules(manager, ws);
  const tickets = s.tickets ?? [];
  await upsert(
    manager,
    `INSERT INTO tickets (workspace_id, id, ticket_number, ticket_type_id, state, attributes, admin_assignee_id,
       team_assignee_id, is_shared, created_at, updated_at)
     SELECT $1, r.id, r.ticket_number, r.ticket_type_id, r.state, r.attributes, r.admin_assignee_id,
            r.team_assignee_id, r.is_shared, coalesce(to_timestamp(r.created_at), now()),
            coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
       FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, ticket_number text, ticket_type_id bigint, state text,
         attributes jsonb, admin_assignee_id bigint, team_assignee_id bigint, is_shared boolean,
         created_at bigint, updated_at bigint)
     ON CONFLICT (workspace_id, id) DO UPDATE SET ticket_number = EXCLUDED.ticket_number,
       ticket_type_id = EXCLUDED.ticket_type_id, state = EXCLUDED.state, attributes = EXCLUDED.attributes,
       admin_assignee_id = EXCLUDED.admin_assignee_id, team_assignee_id = EXCLUDED.team_assignee_id,
       is_shared = EXCLUDED.is_shared, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
       version = tickets.version + 1
     -- Only a ticket that really changes gets a new version (and ETag): importing a file twice changes nothing.
     WHERE (tickets.ticket_number, tickets.ticket_type_id, tickets.state, tickets.attributes, tickets.admin_assignee_id,
            tickets.team_assignee_id, tickets.is_shared, tickets.created_at, tickets.updated_at)
       IS DISTINCT FROM (EXCLUDED.ticket_number, EXCLUDED.ticket_type_id, EXCLUDED.state, EXCLUDED.attributes,
            EXCLUDED.admin_assignee_id, EXCLUDED.team_assignee_id, EXCLUDED.is_shared, EXCLUDED.created_at,
            EXCLUDED.updated_at)`,
    ws,
    tickets.map((t) => ticketRow(t, rules.get(id(t.ticket_type_id)))),
  );

  const ticketIds = tickets.map((t) => id(t.id));
  for (let i = 0; i < ticketIds.length; i += BATCH) {
    await manager.query(
      'DELETE FROM ticket_contacts WHERE workspace_id = $1 AND ticket_id = ANY($2::bigint[])',
      [ws, ticketIds.slice(i, i + BATCH)],
    );
  }
  await upsert(
    manager,
    `INSERT INTO ticket_contacts (workspace_id, ticket_id, contact_id, position)
     SELECT $1, r.ticket_id, r.contact_id, r.position
       FROM jsonb_to_recordset($2::jsonb) AS r(ticket_id bigint, contact_id text, position integer)
     ON CONFLICT DO NOTHING`,
    ws,
    tickets.flatMap((t) =>
      (t.contact_ids ?? []).map((contactId, position) => ({
        ticket_id: id(t.id),
        contact_id: contactId,
        position,
      })),
    ),
  );

  const parts = tickets.flatMap((t) => (t.ticket_parts ?? []).map((p) => partRow(t, p)));
  await upsert(
    manager,
    `INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, body, author_id, ticket_state,
       previous_ticket_state, assigned_to_type, assigned_to_id, attachments, external_id, redacted, created_at, updated_at)
     SELECT $1, r.id, r.ticket_id, r.part_type, r.body, r.author_id, r.ticket_state, r.previous_ticket_state,
            r.assigned_to_type, r.assigned_to_id, r.attachments, r.external_id, r.redacted,
            coalesce(to_timestamp(r.created_at), now()), coalesce(to_timestamp(r.updated_at), to_timestamp(r.created_at), now())
       FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, ticket_id bigint, part_type text, body text, author_id bigint,
         ticket_state text, previous_ticket_state text, assigned_to_type text, assigned_to_id text, attachments jsonb,
         external_id text, redacted boolean, created_at bigint, updated_at bigint)
     ON CONFLICT (workspace_id, id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id, part_type = EXCLUDED.part_type,
       body = EXCLUDED.body, author_id = EXCLUDED.author_id, ticket_state = EXCLUDED.ticket_state,
       previous_ticket_state = EXCLUDED.previous_ticket_state, assigned_to_type = EXCLUDED.assigned_to_type,
       assigned_to_id = EXCLUDED.assigned_to_id, attachments = EXCLUDED.attachments, external_id = EXCLUDED.external_id,
       redacted = EXCLUDED.redacted, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at`,
    ws,
    parts,
  );
  // Imported parts may carry ids above the sequence too.
  await manager.query(
    `SELECT setval('ticket_parts_id_seq', greatest((SELECT coalesce(max(id), 0) FROM ticket_parts),
                                                   (SELECT last_value FROM ticket_parts_id_seq)))`,
  );

  return {
    workspace: ws,
    admins: admins.length,
    teams: (s.teams ?? []).length,
    contacts: (s.contacts ?? []).length,
    ticket_types: types.length,
    ticket_type_attributes: attributeRows.length,
    tickets: tickets.length,
    ticket_parts: parts.length,
  };
}

async function attributeRules(
  manager: EntityManager,
  ws: string,
): Promise<Map<string, Map<string, AttributeRule>>> {
  const rows: {
    ticket_type_id: string;
    name: string;
    data_type: AttributeRule['dataType'];
    required_to_create: boolean;
    input_options: AttributeRule['inputOptions'];
  }[] = await manager.query(
    'SELECT ticket_type_id::text, name, data_type, required_to_create, input_options FROM ticket_type_attributes WHERE workspace_id = $1',
    [ws],
  );
  const rules = new Map<string, Map<string, AttributeRule>>();
  for (const row of rows) {
    if (!rules.has(row.ticket_type_id)) rules.set(row.ticket_type_id, new Map());
    rules.get(row.ticket_type_id)!.set(row.name, {
      name: row.name,
      dataType: row.data_type,
      requiredToCreate: row.required_to_create,
      inputOptions: row.input_options,
    });
  }
  return rules;
}

function ticketRow(t: SnapshotTicket, rules: Map<string, AttributeRule> | undefined) {
  const attributes: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(t.ticket_attributes ?? {})) {
    if (value !== null) attributes[name] = importedValue(rules?.get(name), value);
  }
  return {
    id: id(t.id),
    ticket_number: t.ticket_id === undefined ? id(t.id) : String(t.ticket_id),
    ticket_type_id: id(t.ticket_type_id),
    state: t.ticket_state ?? 'submitted',
    attributes,
    admin_assignee_id: unassigned(t.admin_assignee_id) ? null : id(t.admin_assignee_id!),
    team_assignee_id: unassigned(t.team_assignee_id) ? null : id(t.team_assignee_id!),
    is_shared: t.is_shared ?? false,
    created_at: t.created_at ?? null,
    updated_at: t.updated_at ?? null,
  };
}

function partRow(t: SnapshotTicket, p: SnapshotPart) {
  return {
    id: id(p.id),
    ticket_id: id(t.id),
    part_type: p.part_type,
    body: p.body ?? null,
    author_id: id(p.author.id),
    ticket_state: p.ticket_state ?? null,
    previous_ticket_state: p.previous_ticket_state ?? null,
    assigned_to_type: p.assigned_to ? (p.assigned_to.type ?? 'admin') : null,
    assigned_to_id: p.assigned_to && !unassigned(p.assigned_to.id) ? id(p.assigned_to.id!) : null,
    attachments: p.attachments ?? [],
    external_id: p.external_id ?? null,
    redacted: p.redacted ?? false,
    created_at: p.created_at ?? null,
    updated_at: p.updated_at ?? null,
  };
}

async function upsert(
  manager: EntityManager,
  sql: string,
  ws: string,
  rows: readonly object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await manager.query(sql, [ws, JSON.stringify(rows.slice(i, i + BATCH))]);
  }
}

/** Paths of strings (keys or values) PostgreSQL could not store. */
function unstorableStrings(value: unknown, path: string): string[] {
  if (typeof value === 'string') return storableText(value) ? [] : [path || '(top level)'];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unstorableStrings(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const at = path ? `${path}.${key}` : key;
    return storableText(key) ? unstorableStrings(item, at) : [at];
  });
}

export function botEmail(workspaceId: string): string {
  return `operator+${workspaceId}@intercom.io`;
}

function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('')
    .replace(/^\./, '');
  const where = path || '(top level)';
  if (error.keyword === 'required')
    return `${where}: missing required field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}
