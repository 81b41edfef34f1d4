import Ajv, { type ErrorObject } from 'ajv';
import { ApiError } from '../common/errors/api-error';
import { NUMBERED_VERSIONS, parseVersion } from '../common/versioning/versions';
import { type AttributeRule, normalizeAttributeValue, storableText } from '../tickets/attribute-values';
import { STATE_CATEGORIES, type StateCategory } from '../tickets/entities/ticket-state.entity';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { findJsonSyntaxError } from './json-position';
import { SNAPSHOT_SCHEMA } from './snapshot.schema';
import type { Snapshot, SnapshotTicket } from './snapshot.types';

/**
 * The pure half of the importer (OPERATING.md "Workspace snapshot"): a snapshot's text to a valid Snapshot,
 * and every reference and value checked against the file and what the workspace already holds. No database.
 */

/** Everything wrong with a snapshot, each line naming the object and the field. Nothing was written. */
export class ImportError extends Error {
  readonly problems: string[];

  constructor(problems: readonly string[]) {
    const listed = capProblems(problems);
    super(listed.join('\n'));
    this.name = 'ImportError';
    this.problems = listed;
  }
}

export const MAX_PROBLEMS = 50;

/** At most `max` problems; a longer list ends with "and N more" so a person knows it was cut. */
export function capProblems(problems: readonly string[], max: number = MAX_PROBLEMS): string[] {
  if (problems.length <= max) return [...problems];
  return [...problems.slice(0, max), `... and ${problems.length - max} more`];
}

/** An attribute as the checker knows it: its rule and the id that owns the name. */
export type KnownAttribute = AttributeRule & { id: string };

/** A ticket state as the checker and the rows know it. */
export type KnownState = { category: StateCategory; archived: boolean };

/** A workspace's ticket states by id, and each ticket type's state ids. */
export type WorkspaceStates = {
  states: ReadonlyMap<string, KnownState>;
  typeStates: ReadonlyMap<string, readonly string[]>;
};

/** What the workspace already holds, as far as the file's references may point at it. */
export type ExistingWorkspace = WorkspaceStates & {
  adminTypes: Map<string, AdminType>;
  teams: Set<string>;
  contacts: Set<string>;
  companies: Set<string>;
  types: Set<string>;
  /** Attributes by ticket type id, then by name (a Map: attribute names are data, `__proto__` included). */
  attributes: Map<string, Map<string, KnownAttribute>>;
  /** Type and state of the stored tickets of the types whose `ticket_state_ids` the file gives, by ticket id. */
  ticketStates: Map<string, { typeId: string; stateId: string }>;
};

export const EMPTY_WORKSPACE: ExistingWorkspace = {
  adminTypes: new Map(),
  teams: new Set(),
  contacts: new Set(),
  companies: new Set(),
  types: new Set(),
  attributes: new Map(),
  states: new Map(),
  typeStates: new Map(),
  ticketStates: new Map(),
};

/** Ids are numeric strings of up to 18 digits: compared as numbers, beyond 2^53 too. */
const byNumericId = (a: string, b: string): number => {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
};

/**
 * The default state of a category among `stateIds` (a type's states, or all the workspace's): the lowest-id
 * unarchived one (BEHAVIOUR.md §6). Undefined when there is none.
 */
export function defaultStateOf(
  stateIds: Iterable<string>,
  states: ReadonlyMap<string, KnownState>,
  category: StateCategory,
): string | undefined {
  return [...stateIds]
    .filter((stateId) => {
      const state = states.get(stateId);
      return state !== undefined && state.category === category && !state.archived;
    })
    .sort(byNumericId)[0];
}

/** A ticket's `ticket_state` as a category and, in 2.12's object form, a state id. */
export function stateOfTicket(t: SnapshotTicket): { category?: StateCategory; referencedId?: string } {
  const given = t.ticket_state;
  if (given === undefined) return {};
  if (typeof given === 'string') return { category: given };
  return { category: given.category, referencedId: id(given.id) };
}

// `verbose` hands describeSchemaError the failing object's schema, whose title names its kind.
const validateSnapshot = new Ajv({
  allErrors: true,
  strict: false,
  verbose: true,
}).compile<Snapshot>(SNAPSHOT_SCHEMA);

const SUPPORTED_VERSIONS = `${NUMBERED_VERSIONS[0]}-${NUMBERED_VERSIONS[NUMBERED_VERSIONS.length - 1]}, Preview, Unstable`;

export const id = (value: string | number): string => String(value);
export const unassigned = (value: string | number | null | undefined): value is null | undefined | '0' | 0 =>
  value === undefined || value === null || String(value) === '0';

/** A snapshot's text (`source` names it in messages: a file, or standard input) to a structurally valid one. */
export function parseSnapshot(text: string, source: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const at = findJsonSyntaxError(text);
    throw new ImportError([
      at ? `${source}:${at.line}:${at.column}: not valid JSON: ${at.reason}` : `${source}: not valid JSON`,
    ]);
  }
  if (!validateSnapshot(parsed)) {
    // An `if` error only says its branch failed; the branch's own errors name the problem.
    const errors = (validateSnapshot.errors ?? []).filter((error) => error.keyword !== 'if');
    throw new ImportError(errors.map(describeSchemaError));
  }
  const unstorable = unstorableStrings(parsed, '');
  if (unstorable.length > 0) {
    throw new ImportError(
      unstorable.map((path) => `${path}: contains a NUL character or an unpaired UTF-16 surrogate`),
    );
  }
  return parsed;
}

/** Every reference and value checked against the file and what the workspace already holds. */
export function checkSnapshot(s: Snapshot, existing: ExistingWorkspace): string[] {
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
      `workspace.default_intercom_version: "${s.workspace.default_intercom_version}" is not a supported version (${SUPPORTED_VERSIONS})`,
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

  // States: the workspace's, updated by the file's (OPERATING.md "Later versions' data").
  const states = new Map(existing.states);
  duplicates(
    'ticket_states',
    (s.ticket_states ?? []).map((state) => id(state.id)),
  );
  (s.ticket_states ?? []).forEach((state, i) => {
    const stateId = id(state.id);
    const stored = existing.states.get(stateId);
    if (stored && stored.category !== state.category) {
      problems.push(
        `ticket_states[${i}].category: ticket state "${stateId}" is ${stored.category}; a state's category cannot change`,
      );
    }
    states.set(stateId, { category: state.category, archived: state.archived ?? false });
  });
  // A new type without `ticket_state_ids` gets these (a category with none gets a new default state, which no
  // reference in the file can name).
  const workspaceDefaults = STATE_CATEGORIES.flatMap(
    (category) => defaultStateOf(states.keys(), states, category) ?? [],
  );

  const companies = new Set(existing.companies);
  duplicates(
    'companies',
    (s.companies ?? []).map((c) => c.id),
  );
  (s.companies ?? []).forEach((c) => companies.add(c.id));

  const attributes = new Map([...existing.attributes].map(([typeId, byName]) => [typeId, new Map(byName)]));
  duplicates(
    'ticket_types',
    (s.ticket_types ?? []).map((t) => id(t.id)),
  );
  const attributeIds = new Map<string, string>();
  for (const [typeId, byName] of existing.attributes)
    for (const a of byName.values()) attributeIds.set(a.id, typeId);
  // Each type's states once the file is imported: the file's list, else the stored ones, else the defaults.
  const typeStates = new Map(existing.typeStates);
  const restated = new Map<string, number>();
  (s.ticket_types ?? []).forEach((t, i) => {
    const typeId = id(t.id);
    if (t.ticket_state_ids !== undefined) {
      restated.set(typeId, i);
      typeStates.set(
        typeId,
        checkTypeStates(t.ticket_state_ids.map(id), `ticket_types[${i}]`, states, problems),
      );
    } else if (!existing.types.has(typeId)) {
      typeStates.set(typeId, workspaceDefaults);
    }
    const byName = attributes.get(typeId) ?? new Map<string, KnownAttribute>();
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

  problems.push(...archivedLastStates(s, existing, states, typeStates, restated));
  problems.push(...statesLeftOut(s, existing, restated));

  duplicates(
    'tickets',
    (s.tickets ?? []).map((t) => id(t.id)),
  );
  const partIds = new Set<string>();
  (s.tickets ?? []).forEach((t, i) => {
    const where = `tickets[${i}] (id "${id(t.id)}")`;
    const typeId = id(t.ticket_type_id);
    const typeKnown = attributes.has(typeId) || existing.types.has(typeId);
    if (!typeKnown) problems.push(`${where}.ticket_type_id: ticket type "${typeId}" not found`);
    problems.push(...checkTicketState(t, where, typeKnown ? typeStates.get(typeId) : undefined, states));
    if (t.open === false && t.snoozed_until !== undefined && t.snoozed_until !== null) {
      problems.push(`${where}.snoozed_until: a closed ticket ("open": false) cannot be snoozed`);
    }
    if (t.company_id !== undefined && t.company_id !== null && !companies.has(t.company_id)) {
      problems.push(`${where}.company_id: company "${t.company_id}" not found`);
    }
    if (
      t.previous_ticket_state_id !== undefined &&
      t.previous_ticket_state_id !== null &&
      !states.has(id(t.previous_ticket_state_id))
    ) {
      problems.push(
        `${where}.previous_ticket_state_id: ticket state "${id(t.previous_ticket_state_id)}" not found`,
      );
    }
    (t.contact_ids ?? []).forEach((contactId, j) => {
      if (!contacts.has(contactId))
        problems.push(`${where}.contact_ids[${j}]: contact "${contactId}" not found`);
    });
    if (!unassigned(t.admin_assignee_id) && admins.get(id(t.admin_assignee_id)) !== 'admin') {
      problems.push(`${where}.admin_assignee_id: admin "${id(t.admin_assignee_id)}" not found`);
    }
    if (!unassigned(t.team_assignee_id) && !teams.has(id(t.team_assignee_id))) {
      problems.push(`${where}.team_assignee_id: team "${id(t.team_assignee_id)}" not found`);
    }
    const rules = attributes.get(typeId) ?? new Map<string, KnownAttribute>();
    // Object.entries lists own keys only, `__proto__` included when JSON.parse made it one: names are data.
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
      if (target?.type === 'admin' && !unassigned(target.id) && !admins.has(id(target.id))) {
        problems.push(`${partWhere}.assigned_to.id: admin "${id(target.id)}" not found`);
      }
      if (target?.type === 'team' && !unassigned(target.id) && !teams.has(id(target.id))) {
        problems.push(`${partWhere}.assigned_to.id: team "${id(target.id)}" not found`);
      }
      const changed = p.updated_attribute_data?.attribute;
      if (changed && typeKnown && ![...rules.values()].some((rule) => rule.id === id(changed.id))) {
        problems.push(
          `${partWhere}.updated_attribute_data.attribute.id: attribute "${id(changed.id)}" is not an attribute of ticket type "${typeId}"`,
        );
      }
    });
  });
  return problems;
}

/** A type's `ticket_state_ids`: states of the file or the workspace, an unarchived one of every category (so
 * `state: "resolved"` always has a target). Returns the ids, each once. */
function checkTypeStates(
  stateIds: string[],
  where: string,
  states: ReadonlyMap<string, KnownState>,
  problems: string[],
): string[] {
  const missing = stateIds.filter((stateId, j) => {
    if (states.has(stateId)) return false;
    problems.push(`${where}.ticket_state_ids[${j}]: ticket state "${stateId}" not found`);
    return true;
  });
  // A state not found may be the one meant for a category: name the category only when every id resolved.
  if (missing.length === 0) {
    for (const category of STATE_CATEGORIES) {
      if (defaultStateOf(stateIds, states, category) === undefined) {
        problems.push(
          `${where}.ticket_state_ids: no unarchived ${category} state; a ticket type needs one of every category`,
        );
      }
    }
  }
  return [...new Set(stateIds)];
}

/** A stored type whose states the file does not list keeps them: the file must not archive the last unarchived
 * state of a category among them. */
function archivedLastStates(
  s: Snapshot,
  existing: ExistingWorkspace,
  states: ReadonlyMap<string, KnownState>,
  typeStates: ReadonlyMap<string, readonly string[]>,
  restated: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const archivedHere = new Map<string, number>();
  (s.ticket_states ?? []).forEach((state, i) => {
    if (state.archived && existing.states.get(id(state.id))?.archived === false)
      archivedHere.set(id(state.id), i);
  });
  if (archivedHere.size === 0) return problems;
  for (const [typeId, stateIds] of typeStates) {
    if (restated.has(typeId) || !existing.types.has(typeId)) continue;
    for (const category of STATE_CATEGORIES) {
      if (defaultStateOf(stateIds, states, category) !== undefined) continue;
      for (const stateId of stateIds) {
        const i = archivedHere.get(stateId);
        if (i !== undefined && states.get(stateId)?.category === category) {
          problems.push(
            `ticket_states[${i}].archived: ticket type "${typeId}" would have no unarchived ${category} state left`,
          );
        }
      }
    }
  }
  return problems;
}

/** A stored ticket the file does not hold stays in its state: a type's new `ticket_state_ids` must keep it. */
function statesLeftOut(
  s: Snapshot,
  existing: ExistingWorkspace,
  restated: ReadonlyMap<string, number>,
): string[] {
  const inFile = new Set((s.tickets ?? []).map((t) => id(t.id)));
  const leftOut = new Map<string, { i: number; stateId: string; ticketIds: string[] }>();
  for (const [ticketId, { typeId, stateId }] of existing.ticketStates) {
    const i = restated.get(typeId);
    if (i === undefined || inFile.has(ticketId)) continue;
    if ((s.ticket_types?.[i].ticket_state_ids ?? []).some((given) => id(given) === stateId)) continue;
    const key = `${i}/${stateId}`;
    const entry = leftOut.get(key) ?? { i, stateId, ticketIds: [] };
    entry.ticketIds.push(ticketId);
    leftOut.set(key, entry);
  }
  return [...leftOut.values()].map(({ i, stateId, ticketIds }) => {
    const sorted = ticketIds.sort(byNumericId);
    const others = sorted.length > 1 ? ` (and ${sorted.length - 1} more)` : '';
    return `ticket_types[${i}].ticket_state_ids: leaves out ticket state "${stateId}", the state of stored ticket "${sorted[0]}"${others}, which the file does not hold`;
  });
}

/**
 * A ticket's state: `ticket_state_id` (or 2.12's `ticket_state.id`) must be a state of the ticket's type,
 * archived ones included, of the category `ticket_state` names if it names one. Without an id, the type's
 * default state of the category is used; the type rules guarantee there is one.
 */
function checkTicketState(
  t: SnapshotTicket,
  where: string,
  typeStateIds: readonly string[] | undefined,
  states: ReadonlyMap<string, KnownState>,
): string[] {
  const { category, referencedId } = stateOfTicket(t);
  const problems: string[] = [];
  const givenId = t.ticket_state_id === undefined ? undefined : id(t.ticket_state_id);
  if (givenId !== undefined && referencedId !== undefined && givenId !== referencedId) {
    problems.push(`${where}.ticket_state.id: "${referencedId}" is not the ticket_state_id "${givenId}"`);
  }
  const stateId = givenId ?? referencedId;
  if (stateId === undefined) return problems;
  const field = givenId !== undefined ? 'ticket_state_id' : 'ticket_state.id';
  const state = states.get(stateId);
  if (!state) return [...problems, `${where}.${field}: ticket state "${stateId}" not found`];
  if (typeStateIds && !typeStateIds.includes(stateId)) {
    problems.push(
      `${where}.${field}: ticket state "${stateId}" is not a state of ticket type "${id(t.ticket_type_id)}"`,
    );
  }
  if (category !== undefined && category !== state.category) {
    const categoryField = referencedId !== undefined ? 'ticket_state.category' : 'ticket_state';
    problems.push(
      `${where}.${categoryField}: "${category}" is not the category of ticket state "${stateId}" (${state.category})`,
    );
  }
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

function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    // JSON Pointer escapes (RFC 6901): a key holding "/" or "~" is named as written.
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
    .join('')
    .replace(/^\./, '');
  const where = path || '(top level)';
  if (error.keyword === 'required')
    return `${where}: missing required field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'additionalProperties') {
    const field = String(error.params.additionalProperty);
    const kind = schemaTitle(error.parentSchema);
    return kind === 'snapshot'
      ? `${path ? `${path}.` : ''}${field}: not a field of a workspace snapshot`
      : `${path ? `${path}.` : ''}${field}: unknown field; neither this format nor Intercom's ${kind} object has it`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}

function schemaTitle(schema: unknown): string {
  if (
    typeof schema === 'object' &&
    schema !== null &&
    'title' in schema &&
    typeof schema.title === 'string'
  ) {
    return schema.title;
  }
  return 'object';
}
