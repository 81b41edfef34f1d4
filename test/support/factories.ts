import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { TokensService } from '../../src/auth/tokens.service';
import { createDataSource } from '../../src/database/data-source';
import { ENTITIES } from '../../src/entities';
import { ImportService } from '../../src/import/import.service';
import type { Snapshot } from '../../src/import/snapshot.types';
import { testDatabaseUrl } from './app';

export const T0 = 1_717_021_671;

/** Ids of the standard test workspace; every workspace reuses them (keys lead with workspace_id). */
export const IDS = {
  admin: '991267719',
  otherAdmin: '991267721',
  bot: '991267720',
  team: '814',
  contact: '6657abe76abd0164c24b0df3',
  bugType: '71',
  wideType: '73',
  ticket: '447',
  ticketB: '448',
  wideTicket: '449',
  highItem: 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91',
  lowItem: 'd3b2e9a4-4e5c-4f80-9d3c-2b8e4f9a0c13',
  archivedItem: 'e4c3f0b5-5f6d-4a91-8e4d-3c9f5a0b1d24',
} as const;

export const WIDE_ATTRIBUTES = Array.from({ length: 20 }, (_, i) => `field_${i + 1}`);

/** A snapshot with every data_type, an archived attribute, an archived list item and a 20-attribute type. */
export function standardSnapshot(workspaceId: string): Snapshot {
  const at = { created_at: T0, updated_at: T0 };
  return {
    workspace: { id: workspaceId, name: `Test ${workspaceId}` },
    admins: [
      { id: IDS.admin, name: 'Ann Admin', email: 'ann@test.example' },
      { id: IDS.otherAdmin, name: 'Bob Builder', email: 'bob@test.example' },
      { id: IDS.bot, type: 'bot', name: 'Operator' },
    ],
    teams: [{ id: IDS.team, name: 'Billing', admin_ids: [IDS.admin] }],
    contacts: [{ id: IDS.contact, external_id: 'u-1', role: 'user', email: 'c@test.example' }],
    ticket_types: [
      {
        id: IDS.bugType,
        name: 'Bug',
        description: 'A bug that has been reported.',
        icon: '🐞',
        ...at,
        ticket_type_attributes: [
          {
            id: '208',
            name: '_default_title_',
            description: 'Title',
            data_type: 'string',
            order: 0,
            required_to_create: true,
            default: true,
            ...at,
          },
          {
            id: '209',
            name: '_default_description_',
            description: 'Description',
            data_type: 'string',
            order: 1,
            default: true,
            ...at,
          },
          {
            id: '210',
            name: 'Priority',
            data_type: 'list',
            order: 2,
            ...at,
            input_options: {
              list_items: [
                { id: IDS.highItem, label: 'High', archived: false },
                { id: IDS.lowItem, label: 'Low', archived: false },
                { id: IDS.archivedItem, label: 'Ancient', archived: true },
              ],
            },
          },
          { id: '211', name: 'Affected users', data_type: 'integer', order: 3, ...at },
          { id: '212', name: 'Amount', data_type: 'decimal', order: 4, ...at },
          { id: '213', name: 'Reproducible', data_type: 'boolean', order: 5, ...at },
          { id: '214', name: 'Seen at', data_type: 'datetime', order: 6, ...at },
          { id: '215', name: 'Screenshots', data_type: 'files', order: 7, ...at },
          { id: '216', name: 'Legacy code', data_type: 'string', order: 8, archived: true, ...at },
        ],
      },
      {
        id: IDS.wideType,
        name: 'Wide',
        ...at,
        ticket_type_attributes: [
          {
            id: '300',
            name: '_default_title_',
            data_type: 'string',
            order: 0,
            required_to_create: true,
            default: true,
            ...at,
          },
          ...WIDE_ATTRIBUTES.map((name, i) => ({
            id: String(301 + i),
            name,
            data_type: 'string' as const,
            order: i + 1,
            ...at,
          })),
        ],
      },
    ],
    tickets: [
      {
        id: IDS.ticket,
        ticket_id: '1390',
        ticket_type_id: IDS.bugType,
        ticket_state: 'submitted',
        ticket_attributes: { _default_title_: 'Login fails', Priority: 'High', 'Legacy code': 'L1' },
        contact_ids: [IDS.contact],
        is_shared: true,
        created_at: T0 + 1,
        updated_at: T0 + 60,
        ticket_parts: [
          {
            id: '100',
            part_type: 'comment',
            body: '<p>It fails</p>',
            author: { type: 'admin', id: IDS.admin },
            created_at: T0 + 60,
            updated_at: T0 + 60,
          },
        ],
      },
      {
        id: IDS.ticketB,
        ticket_type_id: IDS.bugType,
        ticket_attributes: { _default_title_: 'Second' },
        created_at: T0,
        updated_at: T0,
      },
      {
        id: IDS.wideTicket,
        ticket_type_id: IDS.wideType,
        ticket_attributes: { _default_title_: 'Wide one' },
        created_at: T0,
        updated_at: T0,
      },
    ],
  };
}

export type SeededWorkspace = { workspaceId: string; token: string };

/** Imports a snapshot (the standard one by default) into a fresh workspace and makes a token for it. */
export async function seedWorkspace(
  build: (workspaceId: string) => Snapshot = standardSnapshot,
  url: string = testDatabaseUrl(),
  workspaceId = `ws_${randomUUID().slice(0, 8)}`,
): Promise<SeededWorkspace> {
  const dataSource = await createDataSource(url, ENTITIES, 2).initialize();
  try {
    await new ImportService(dataSource).import(build(workspaceId));
    const token = await new TokensService(dataSource).create(workspaceId, 'test');
    return { workspaceId, token };
  } finally {
    await dataSource.destroy();
  }
}

export type TicketRow = {
  state: string;
  ticket_state_id: string;
  previous_ticket_state_id: string | null;
  attributes: Record<string, unknown>;
  admin_assignee_id: string | null;
  team_assignee_id: string | null;
  is_shared: boolean;
  open: boolean;
  snoozed_until: Date | null;
  company_id: string | null;
  updated_at: Date;
};

/** The ticket row as stored. */
export async function ticketRow(db: Pool, workspaceId: string, id: string): Promise<TicketRow> {
  const { rows } = await db.query<TicketRow>(
    `SELECT state, ticket_state_id::text, previous_ticket_state_id::text, attributes, admin_assignee_id::text,
            team_assignee_id::text, is_shared, open, snoozed_until, company_id, updated_at
       FROM tickets WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id],
  );
  if (!rows[0]) throw new Error(`ticket ${id} not found in ${workspaceId}`);
  return rows[0];
}

export type PartRow = {
  id: string;
  part_type: string;
  author_id: string;
  ticket_state: string | null;
  previous_ticket_state: string | null;
  assigned_to_type: string | null;
  assigned_to_id: string | null;
  created_at: Date;
};

/** The ticket's parts as stored, oldest first. */
export async function partRows(db: Pool, workspaceId: string, id: string): Promise<PartRow[]> {
  const { rows } = await db.query<PartRow>(
    `SELECT id::text, part_type, author_id::text, ticket_state, previous_ticket_state, assigned_to_type,
            assigned_to_id, created_at
       FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY ticket_parts.id`,
    [workspaceId, id],
  );
  return rows;
}

/** Everything a rejected request must leave untouched: the ticket row and its parts. */
export async function ticketState(db: Pool, workspaceId: string, id: string) {
  return { ticket: await ticketRow(db, workspaceId, id), parts: await partRows(db, workspaceId, id) };
}

/** The ticket's version (its ETag's number): bumped by every committed update, never by a no-op. */
export async function ticketVersion(db: Pool, workspaceId: string, id: string): Promise<number> {
  const { rows } = await db.query<{ version: string }>(
    'SELECT version::text FROM tickets WHERE workspace_id = $1 AND id = $2',
    [workspaceId, id],
  );
  return Number(rows[0].version);
}

export type AuditRow = {
  idempotency_key: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  version_before: string;
  version_after: string;
};

/** The ticket's audit rows, oldest first: one per committed update. */
export async function auditRows(db: Pool, workspaceId: string, id: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT idempotency_key, changes, version_before::text, version_after::text FROM audit_log
      WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY id`,
    [workspaceId, id],
  );
  return rows;
}

/**
 * The snapshot with a file value on ticket 447 and an attachment and external id on its part, so that bodies
 * show `file_attribute` and `part_attachment` (the OpenAPI specs validate them).
 */
export function withFileAndAttachment(snapshot: Snapshot): Snapshot {
  const ticket = snapshot.tickets!.find((candidate) => candidate.id === IDS.ticket)!;
  const file = {
    type: 'upload',
    name: 'screenshot.png',
    url: 'https://files.test.example/screenshot.png',
    content_type: 'image/png',
    filesize: 11308,
    width: 640,
    height: 480,
  };
  ticket.ticket_attributes = { ...ticket.ticket_attributes, Screenshots: [file] };
  ticket.ticket_parts = [{ ...ticket.ticket_parts![0], attachments: [file], external_id: 'ext-100' }];
  return snapshot;
}
