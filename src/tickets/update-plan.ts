import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { diffAttributes } from './attribute-values';
import type { AssignedToType, UpdatedAttributeData } from './entities/ticket-part.entity';
import type { StateCategory } from './entities/ticket-state.entity';
import type { TicketTypeAttributeView, TicketStateView, TicketView } from './ticket.view';
import type { AttributeValue } from './entities/ticket.entity';
import type { NamedId, UpdateTicketInput } from './update-ticket.request';

/**
 * The ticket as read for an update: everything but its parts, with its bot, its version and the database's clock
 * at the read (unix seconds).
 */
export type LockedTicket = Omit<TicketView, 'parts' | 'totalParts'> & {
  botId: string;
  version: string;
  nowSeconds: number;
};

/** What the request's ids name in the workspace (read with the ticket: TicketsRepository.read). */
export type References = {
  /** The performing admin (or the bot) exists. */
  performerExists: boolean;
  /** The assignee is an admin or a team of the workspace (an admin wins should both share the id). */
  assignee: 'admin' | 'team' | null;
  companyExists: boolean;
};

/** The ticket's columns after the update (all of them, changed or not). */
export type TicketChanges = {
  stateId: string;
  state: StateCategory;
  previousStateId: string | null;
  attributes: Record<string, AttributeValue>;
  adminAssigneeId: string | null;
  teamAssigneeId: string | null;
  isShared: boolean;
  open: boolean;
  snoozedUntil: number | null;
  companyId: string | null;
};

export type PartType =
  | 'ticket_attribute_updated_by_admin'
  | 'ticket_state_updated_by_admin'
  | 'assignment'
  | 'close'
  | 'open'
  | 'snoozed';

export type NewPart = {
  partType: PartType;
  authorId: string;
  ticketState?: StateCategory;
  previousTicketState?: StateCategory;
  assignedToType?: AssignedToType;
  assignedToId?: string | null;
  updatedAttributeData?: UpdatedAttributeData;
};

export type UpdatePlan = { changes: TicketChanges; parts: NewPart[] };

/**
 * Works out an update (BEHAVIOUR.md §2, §3, §6): the ticket's new values and the parts they create, in the
 * order attributes, state, assignment, close, open, snoozed. Pure; `references` says what the request's ids
 * name, and the ticket carries the database's clock. Everything is checked before anything is returned: the
 * request's own errors (400) first, then what it names that does not exist (404). Null when nothing changes.
 */
export function planUpdate(
  ticket: LockedTicket,
  input: UpdateTicketInput,
  references: References,
): UpdatePlan | null {
  const parts: NewPart[] = [];
  const changes: TicketChanges = {
    stateId: ticket.state.id,
    state: ticket.state.category,
    previousStateId: ticket.previousStateId,
    attributes: ticket.attributes,
    adminAssigneeId: ticket.adminAssigneeId,
    teamAssigneeId: ticket.teamAssigneeId,
    isShared: ticket.isShared,
    open: ticket.open,
    snoozedUntil: ticket.snoozedUntil,
    companyId: ticket.companyId,
  };

  if (input.ticketAttributes) {
    const rules = ticket.type.attributes;
    const attributeChanges = diffAttributes(rules, input.ticketAttributes, ticket.attributes);
    if (attributeChanges.length > 0) {
      const byName = new Map(rules.map((rule) => [rule.name, rule]));
      // A Map, then Object.fromEntries: names like `__proto__` stay own keys (an assignment would not).
      const merged = new Map<string, AttributeValue>(Object.entries(ticket.attributes));
      for (const change of attributeChanges) {
        // BEHAVIOUR.md §2: null clears; a cleared attribute is dropped from the stored object (README).
        if (change.value === null) merged.delete(change.name);
        else merged.set(change.name, change.value);
        parts.push({
          partType: 'ticket_attribute_updated_by_admin',
          authorId: ticket.botId,
          updatedAttributeData: attributeData(byName.get(change.name)!, change.value),
        });
      }
      changes.attributes = Object.fromEntries(merged);
    }
  }

  const target = targetState(ticket, input);
  if (target && target.id !== ticket.state.id) {
    parts.push({
      partType: 'ticket_state_updated_by_admin',
      authorId: ticket.botId,
      ticketState: target.category,
      previousTicketState: ticket.state.category,
    });
    changes.stateId = target.id;
    changes.state = target.category;
    changes.previousStateId = ticket.state.id;
  }

  if (input.isShared !== undefined) changes.isShared = input.isShared;

  const openParts = openAndSnooze(ticket, input, changes);

  // What the request names that the workspace lacks: the performing admin first (BEHAVIOUR.md §2).
  if (input.performer && !references.performerExists) {
    throw notFound(input.performer, ERROR_MESSAGES.performerNotFound(input.performer.id));
  }
  const author = input.performer?.id ?? ticket.botId;
  if (input.assignee) {
    const part = assign(changes, input.assignee, references, author);
    if (part) parts.push(part);
  }
  if (input.companyId !== undefined) {
    if (input.companyId !== null && !references.companyExists) {
      throw new ApiError('company_not_found', ERROR_MESSAGES.companyNotFound, 'company_id');
    }
    changes.companyId = input.companyId;
  }
  for (const partType of openParts) parts.push({ partType, authorId: author });

  const changed =
    parts.length > 0 || changes.isShared !== ticket.isShared || changes.companyId !== ticket.companyId;
  return changed ? { changes, parts } : null;
}

/**
 * The state the request asks for (BEHAVIOUR.md §6), or undefined when it names none. `state` (a category) is a
 * no-op when the ticket is already in that category, else the type's default state of it; `ticket_state_id` is
 * that exact state, which must be one of the type's and not archived. Sending the ticket's current state is a
 * no-op even when that state has since been archived (README "Versions"), so a body read from GET can be sent
 * back.
 */
function targetState(ticket: LockedTicket, input: UpdateTicketInput): TicketStateView | undefined {
  if (input.ticketStateId) {
    const id = input.ticketStateId.id;
    const target =
      id === ticket.state.id
        ? ticket.state
        : ticket.type.states.find((state) => state.id === id && !state.archived);
    if (!target) throw stateInvalid('ticket_state_id');
    if (input.state !== undefined && target.category !== input.state) {
      throw ApiError.invalid(
        'ticket_state_id',
        `ticket_state_id ${JSON.stringify(id)} is a state of category ${target.category}, but state is ` +
          `${input.state}; send one of them, or both agreeing`,
      );
    }
    return target;
  }
  if (input.state === undefined) return undefined;
  if (ticket.state.category === input.state) return ticket.state;
  return defaultState(ticket.type.states, input.state) ?? throwing(stateInvalid('state'));
}

/** A type's default state of a category: its lowest-id unarchived state of that category (BEHAVIOUR.md §6). */
export function defaultState(
  states: readonly TicketStateView[],
  category: StateCategory,
): TicketStateView | undefined {
  let best: TicketStateView | undefined;
  for (const state of states) {
    if (state.category !== category || state.archived) continue;
    if (!best || BigInt(state.id) < BigInt(best.id)) best = state;
  }
  return best;
}

/**
 * `open` and `snoozed_until` (BEHAVIOUR.md §6): closing unsnoozes; a snooze must be in the future and on a ticket
 * that is open once the request applies (so `open: true` with a snooze reopens and snoozes). Returns the parts
 * they create, in order.
 */
function openAndSnooze(ticket: LockedTicket, input: UpdateTicketInput, changes: TicketChanges): PartType[] {
  const parts: PartType[] = [];
  if (input.open === false && ticket.open) {
    parts.push('close');
    changes.open = false;
    changes.snoozedUntil = null;
  }
  if (input.open === true && !ticket.open) {
    parts.push('open');
    changes.open = true;
  }
  if (input.snoozedUntil !== undefined) {
    if (input.snoozedUntil <= ticket.nowSeconds) {
      throw ApiError.invalid('snoozed_until', 'snoozed_until must be in the future (unix seconds)');
    }
    if (!changes.open) {
      throw ApiError.invalid(
        'snoozed_until',
        'A closed ticket cannot be snoozed; send open: true with snoozed_until to reopen and snooze it',
      );
    }
    if (changes.snoozedUntil !== input.snoozedUntil) {
      parts.push('snoozed');
      changes.snoozedUntil = input.snoozedUntil;
    }
  }
  return parts;
}

/** Applies an assignment to `changes` and returns its part, or null when the assignee is unchanged. */
function assign(
  changes: TicketChanges,
  assignee: NamedId,
  references: References,
  authorId: string,
): NewPart | null {
  const unassign = assignee.id === '0';
  if (!unassign && references.assignee === null) {
    throw notFound(assignee, ERROR_MESSAGES.assigneeNotFound(assignee.id));
  }
  const base = { partType: 'assignment' as const, authorId };
  if (unassign) {
    if (changes.adminAssigneeId === null && changes.teamAssigneeId === null) return null;
    changes.adminAssigneeId = null;
    changes.teamAssigneeId = null;
    return { ...base, assignedToType: 'nobody_admin', assignedToId: null };
  }
  // BEHAVIOUR.md §2 (decided): an admin keeps the team, a team keeps the admin.
  if (references.assignee === 'admin') {
    if (changes.adminAssigneeId === assignee.id) return null;
    changes.adminAssigneeId = assignee.id;
    return { ...base, assignedToType: 'admin', assignedToId: assignee.id };
  }
  if (changes.teamAssigneeId === assignee.id) return null;
  changes.teamAssigneeId = assignee.id;
  return { ...base, assignedToType: 'team', assignedToId: assignee.id };
}

/**
 * 2.14's `updated_attribute_data` of an attribute part: a list value as its item's id and label, any other value
 * as its text, a cleared one as null and "".
 */
function attributeData(rule: TicketTypeAttributeView, value: AttributeValue): UpdatedAttributeData {
  const attribute = { id: rule.id, label: rule.name };
  if (value === null) return { attribute, value: { id: null, label: '' } };
  // Values reaching here are scalars (files cannot be set: attribute-values.ts); JSON is exact for any of them.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (rule.dataType === 'list') {
    // Stored as the label (BEHAVIOUR.md §2); the unarchived item of that label is the one that matched.
    const items = rule.inputOptions?.list_items ?? [];
    const item =
      items.find((i) => i.label === text && i.archived !== true) ?? items.find((i) => i.label === text);
    return { attribute, value: { id: item?.id ?? text, label: text } };
  }
  return { attribute, value: { id: text, label: text } };
}

function stateInvalid(field: 'state' | 'ticket_state_id'): ApiError {
  return new ApiError('ticket_state_id_invalid', ERROR_MESSAGES.ticketStateIdInvalid, field);
}

function notFound(id: NamedId, message: string): ApiError {
  return new ApiError('assignee_not_found', message, id.field);
}

function throwing(error: ApiError): never {
  throw error;
}

/**
 * Each changed field's before and after, for the audit row. Attribute names are data: a plain
 * `attributes[name]` for an attribute named `__proto__` or `constructor` that the ticket lacks reads
 * Object.prototype's member instead of "unset" (issue #9), so only own keys count.
 */
export function auditChanges(
  ticket: LockedTicket,
  next: TicketChanges,
): Record<string, { before: unknown; after: unknown }> {
  const changes = new Map<string, { before: unknown; after: unknown }>();
  const note = (field: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) {
      changes.set(field, { before: before ?? null, after: after ?? null });
    }
  };
  note('state', ticket.state.category, next.state);
  note('ticket_state_id', ticket.state.id, next.stateId);
  note('is_shared', ticket.isShared, next.isShared);
  note('admin_assignee_id', ticket.adminAssigneeId, next.adminAssigneeId);
  note('team_assignee_id', ticket.teamAssigneeId, next.teamAssigneeId);
  note('open', ticket.open, next.open);
  note('snoozed_until', ticket.snoozedUntil, next.snoozedUntil);
  note('company_id', ticket.companyId, next.companyId);
  const names = new Set([...Object.keys(ticket.attributes), ...Object.keys(next.attributes)]);
  for (const name of names) {
    note(`ticket_attributes.${name}`, ownValue(ticket.attributes, name), ownValue(next.attributes, name));
  }
  return Object.fromEntries(changes);
}

/** The value stored under `name`, or null when the object has no own key of that name. */
function ownValue(attributes: Readonly<Record<string, AttributeValue>>, name: string): AttributeValue {
  return Object.hasOwn(attributes, name) ? attributes[name] : null;
}
