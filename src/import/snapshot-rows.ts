import { parseVersion } from '../common/versioning/versions';
import { type AttributeRule, normalizeAttributeValue } from '../tickets/attribute-values';
import type { UpdatedAttributeData } from '../tickets/entities/ticket-part.entity';
import type { StateCategory } from '../tickets/entities/ticket-state.entity';
import type { AttributeValue } from '../tickets/entities/ticket.entity';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { defaultStateOf, id, stateOfTicket, unassigned, type WorkspaceStates } from './snapshot-checker';
import type {
  Snapshot,
  SnapshotPart,
  SnapshotTicket,
  SnapshotTicketType,
  SnapshotUpdatedAttributeData,
} from './snapshot.types';

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
export type TicketStateRow = {
  id: string;
  category: StateCategory;
  internal_label: string;
  external_label: string;
  archived: boolean;
};
export type CompanyRow = { id: string; company_id: string | null; name: string };
export type TypeStateRow = { ticket_type_id: string; ticket_state_id: string };
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

export function ticketStateRows(s: Snapshot): TicketStateRow[] {
  return (s.ticket_states ?? []).map((state) => ({
    id: id(state.id),
    category: state.category,
    internal_label: state.internal_label,
    external_label: state.external_label,
    archived: state.archived ?? false,
  }));
}

export function companyRows(s: Snapshot): CompanyRow[] {
  return (s.companies ?? []).map((c) => ({ id: c.id, company_id: c.company_id ?? null, name: c.name ?? '' }));
}

/** The associations of the types that list `ticket_state_ids` (which replace theirs), each pair once. */
export function typeStateRows(s: Snapshot): TypeStateRow[] {
  return (s.ticket_types ?? []).flatMap((t) =>
    [...new Set((t.ticket_state_ids ?? []).map(id))].map((stateId) => ({
      ticket_type_id: id(t.id),
      ticket_state_id: stateId,
    })),
  );
}

export function ticketTypeRow(t: SnapshotTicketType) {
  return {
    id: id(t.id),
    name: t.name,
    description: t.description ?? '',
    icon: t.icon ?? '',
    archived: t.archived ?? false,
    category: t.category ?? 'Customer',
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

/**
 * `states`: the workspace's states and each type's, as stored once the file's states and types are (the
 * defaults of a type's categories are known only then).
 */
export function ticketRow(
  t: SnapshotTicket,
  rules: ReadonlyMap<string, AttributeRule> | undefined,
  states: WorkspaceStates,
) {
  // Object.fromEntries defines own properties, so an attribute named `__proto__` is stored as one
  // (`attributes[name] = value` on a plain object would set its prototype instead and lose the value).
  const attributes: Record<string, AttributeValue> = Object.fromEntries(
    Object.entries(t.ticket_attributes ?? {})
      .filter(([, value]) => value !== null)
      .map(([name, value]) => [name, importedValue(rules?.get(name), value)]),
  );
  const ticketStateId = resolveTicketState(t, states);
  return {
    id: id(t.id),
    ticket_number: t.ticket_id === undefined ? id(t.id) : String(t.ticket_id),
    ticket_type_id: id(t.ticket_type_id),
    ticket_state_id: ticketStateId,
    // The database refuses a category copy that is not the state's (migration 1764200000000).
    state: states.states.get(ticketStateId)!.category,
    open: t.open ?? true,
    snoozed_until: t.snoozed_until ?? null,
    company_id: t.company_id ?? null,
    previous_ticket_state_id:
      t.previous_ticket_state_id === undefined || t.previous_ticket_state_id === null
        ? null
        : id(t.previous_ticket_state_id),
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
    updated_attribute_data: p.updated_attribute_data ? updatedAttributeData(p.updated_attribute_data) : null,
    created_at: p.created_at ?? null,
    updated_at: p.updated_at ?? null,
  };
}

/**
 * The ticket's state: `ticket_state_id` (or 2.12's `ticket_state.id`), else its type's default state of
 * `ticket_state`'s category (submitted when none is given). The checker made sure there is one.
 */
export function resolveTicketState(t: SnapshotTicket, states: WorkspaceStates): string {
  const { category, referencedId } = stateOfTicket(t);
  if (t.ticket_state_id !== undefined) return id(t.ticket_state_id);
  if (referencedId !== undefined) return referencedId;
  const typeId = id(t.ticket_type_id);
  const stateId = defaultStateOf(states.typeStates.get(typeId) ?? [], states.states, category ?? 'submitted');
  if (stateId === undefined) {
    throw new Error(`ticket type "${typeId}" has no unarchived ${category ?? 'submitted'} state`);
  }
  return stateId;
}

/** Stored without 2.14's `type` tags; the attribute's id as a string, like every id. */
function updatedAttributeData(data: SnapshotUpdatedAttributeData): UpdatedAttributeData {
  return {
    attribute: { id: id(data.attribute.id), label: data.attribute.label },
    value: { id: data.value.id, label: data.value.label },
  };
}

function importedValue(rule: AttributeRule | undefined, value: unknown): AttributeValue {
  if (!rule || rule.dataType === 'files' || value === null) return value as AttributeValue;
  return normalizeAttributeValue(rule, value);
}
