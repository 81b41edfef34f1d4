import Ajv, { type ErrorObject } from 'ajv';
import { ApiError } from '../common/errors/api-error';
import { parseVersion } from '../common/versioning/versions';
import { type AttributeRule, normalizeAttributeValue, storableText } from '../tickets/attribute-values';
import type { AdminType } from '../workspaces/entities/admin.entity';
import { findJsonSyntaxError } from './json-position';
import { SNAPSHOT_SCHEMA } from './snapshot.schema';
import type { Snapshot } from './snapshot.types';

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

/** What the workspace already holds, as far as the file's references may point at it. */
export type ExistingWorkspace = {
  adminTypes: Map<string, AdminType>;
  teams: Set<string>;
  contacts: Set<string>;
  types: Set<string>;
  /** Attributes by ticket type id, then by name (a Map: attribute names are data, `__proto__` included). */
  attributes: Map<string, Map<string, KnownAttribute>>;
};

export const EMPTY_WORKSPACE: ExistingWorkspace = {
  adminTypes: new Map(),
  teams: new Set(),
  contacts: new Set(),
  types: new Set(),
  attributes: new Map(),
};

// `verbose` hands describeSchemaError the failing object's schema, whose title names its kind.
const validateSnapshot = new Ajv({
  allErrors: true,
  strict: false,
  verbose: true,
}).compile<Snapshot>(SNAPSHOT_SCHEMA);

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
    throw new ImportError((validateSnapshot.errors ?? []).map(describeSchemaError));
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
