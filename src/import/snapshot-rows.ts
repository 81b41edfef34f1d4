import { parseVersion } from '../common/versioning/versions';
import { type AttributeRule, normalizeAttributeValue } from '../tickets/attribute-values';
import type { AttributeValue } from '../tickets/entities/ticket.entity';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { id, unassigned } from './snapshot-checker';
import type { Snapshot, SnapshotPart, SnapshotTicket, SnapshotTicketType } from './snapshot.types';

/** A checked snapshot's objects as the rows the import repository upserts (defaults of the reference page). */

export type WorkspaceRow = {
  workspace_id: string;
  name: string;
  default_intercom_version: string;
  require_if_match: boolean;
};
export type AdminRow = { id: string; type: AdminType; name: string; email: string };
export type TeamRow = { id: string; name: string; admin_ids: string[] };
export type ContactRow = { id: string; external_id: string | null; role: string; email: string | null };
export type TicketTypeRow = ReturnType<typeof ticketTypeRow>;
export type AttributeRow = ReturnType<typeof attributeRows>[number];
export type TicketRow = ReturnType<typeof ticketRow>;
export type TicketContactRow = { ticket_id: string; contact_id: string; position: number };
export type PartRow = ReturnType<typeof partRow>;

export function botEmail(workspaceId: string): string {
  return `operator+${workspaceId}@intercom.io`;
}

export function workspaceRow(s: Snapshot): WorkspaceRow {
  const ws = s.workspace.id;
  return {
    workspace_id: ws,
    name: s.workspace.name ?? ws,
    default_intercom_version: parseVersion(s.workspace.default_intercom_version ?? '2.9') ?? '2.9',
    require_if_match: s.workspace.require_if_match ?? false,
  };
}

export function adminRows(s: Snapshot): AdminRow[] {
  return (s.admins ?? []).map((a) => ({
    id: id(a.id),
    type: a.type ?? 'admin',
    name: a.name,
    email: a.email ?? (a.type === 'bot' ? botEmail(s.workspace.id) : ''),
  }));
}

export function teamRows(s: Snapshot): TeamRow[] {
  return (s.teams ?? []).map((t) => ({ id: id(t.id), name: t.name, admin_ids: (t.admin_ids ?? []).map(id) }));
}

export function contactRows(s: Snapshot): ContactRow[] {
  return (s.contacts ?? []).map((c) => ({
    id: c.id,
    external_id: c.external_id ?? null,
    role: c.role ?? 'user',
    email: c.email ?? null,
  }));
}

export function ticketTypeRow(t: SnapshotTicketType) {
  return {
    id: id(t.id),
    name: t.name,
    description: t.description ?? '',
    icon: t.icon ?? '',
    archived: t.archived ?? false,
    created_at: t.created_at ?? null,
    updated_at: t.updated_at ?? null,
  };
}

export function attributeRows(t: SnapshotTicketType) {
  return (t.ticket_type_attributes ?? []).map((a, index) => ({
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
  }));
}

export function ticketRow(t: SnapshotTicket, rules: ReadonlyMap<string, AttributeRule> | undefined) {
  // Object.fromEntries defines own properties, so an attribute named `__proto__` is stored as one
  // (`attributes[name] = value` on a plain object would set its prototype instead and lose the value).
  const attributes: Record<string, AttributeValue> = Object.fromEntries(
    Object.entries(t.ticket_attributes ?? {})
      .filter(([, value]) => value !== null)
      .map(([name, value]) => [name, importedValue(rules?.get(name), value)]),
  );
  return {
    id: id(t.id),
    ticket_number: t.ticket_id === undefined ? id(t.id) : String(t.ticket_id),
    ticket_type_id: id(t.ticket_type_id),
    state: t.ticket_state ?? 'submitted',
    attributes,
    admin_assignee_id: unassigned(t.admin_assignee_id) ? null : id(t.admin_assignee_id),
    team_assignee_id: unassigned(t.team_assignee_id) ? null : id(t.team_assignee_id),
    is_shared: t.is_shared ?? false,
    created_at: t.created_at ?? null,
    updated_at: t.updated_at ?? null,
  };
}

export function ticketContactRows(t: SnapshotTicket): TicketContactRow[] {
  return (t.contact_ids ?? []).map((contactId, position) => ({
    ticket_id: id(t.id),
    contact_id: contactId,
    position,
  }));
}

export function partRow(t: SnapshotTicket, p: SnapshotPart) {
  return {
    id: id(p.id),
    ticket_id: id(t.id),
    part_type: p.part_type,
    body: p.body ?? null,
    author_id: id(p.author.id),
    ticket_state: p.ticket_state ?? null,
    previous_ticket_state: p.previous_ticket_state ?? null,
    assigned_to_type: p.assigned_to ? (p.assigned_to.type ?? 'admin') : null,
    assigned_to_id: p.assigned_to && !unassigned(p.assigned_to.id) ? id(p.assigned_to.id) : null,
    attachments: p.attachments ?? [],
    external_id: p.external_id ?? null,
    redacted: p.redacted ?? false,
    created_at: p.created_at ?? null,
    updated_at: p.updated_at ?? null,
  };
}

function importedValue(rule: AttributeRule | undefined, value: unknown): AttributeValue {
  if (!rule || rule.dataType === 'files' || value === null) return value as AttributeValue;
  return normalizeAttributeValue(rule, value);
}
