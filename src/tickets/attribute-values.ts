import { ApiError } from '../common/errors/api-error';
import type { DataType, InputOptions } from './entities/ticket-type-attribute.entity';
import type { AttributeValue } from './entities/ticket.entity';

/** What validation needs to know of one attribute of the ticket's type. */
export type AttributeRule = {
  name: string;
  dataType: DataType;
  requiredToCreate: boolean;
  inputOptions: InputOptions | null;
};

/** One attribute the request sets to a value different from the stored one. */
export type AttributeChange = { name: string; value: AttributeValue };

/**
 * BEHAVIOUR.md §2: only safe integers are integers. Beyond ±(2^53 − 1) a double no longer holds every
 * integer, so JSON.parse has already rounded the value (9007199254740993 arrives as 2^53): accepting it
 * would store a number the client never sent. Shared with the importer, which validates values here.
 */
const SAFE_INTEGER_RANGE = 'between -(2^53 - 1) and 2^53 - 1';

/** A JSON integer that survived parsing exactly: within ±(2^53 − 1). */
function isExactInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * Checks `input` (the request's `ticket_attributes`) against the type's attributes and the stored values,
 * and returns the changes in request key order (BEHAVIOUR.md §2, §3). Values equal to the stored ones are
 * not changes; `null` clears. Throws `parameter_invalid` naming the attribute on the first bad value.
 */
export function diffAttributes(
  rules: readonly AttributeRule[],
  input: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, AttributeValue>>,
): AttributeChange[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const names = Object.keys(input);
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw ApiError.invalid(
      'ticket_attributes',
      `Extra attributes provided that are not found on ticket type: ${unknown.join(', ')}`,
    );
  }
  const changes: AttributeChange[] = [];
  for (const name of names) {
    const value = normalizeAttributeValue(byName.get(name)!, input[name]);
    // Own keys only: an attribute named `constructor` the ticket lacks is unset, not Object's constructor.
    const stored = Object.hasOwn(current, name) ? current[name] : null;
    if (!sameValue(stored ?? null, value)) changes.push({ name, value });
  }
  return changes;
}

/** Validates one value against its attribute and returns what is stored (a list item's label for lists). */
export function normalizeAttributeValue(rule: AttributeRule, value: unknown): AttributeValue {
  const field = `ticket_attributes.${rule.name}`;
  if (rule.dataType === 'files') {
    // BEHAVIOUR.md §2 (decided): file uploads are not part of this endpoint.
    throw ApiError.invalid(
      field,
      `${rule.name} is a files attribute; files cannot be set through this endpoint`,
    );
  }
  if (value === null) {
    if (rule.requiredToCreate)
      throw ApiError.invalid(field, `${rule.name} is required and cannot be cleared`);
    return null;
  }
  switch (rule.dataType) {
    case 'string':
      if (typeof value !== 'string') throw ApiError.invalid(field, `${rule.name} must be a string`);
      if (!storableText(value)) {
        throw ApiError.invalid(
          field,
          `${rule.name} contains a NUL character or an unpaired UTF-16 surrogate`,
        );
      }
      return value;
    case 'integer':
      if (!isExactInteger(value)) {
        throw ApiError.invalid(field, `${rule.name} must be an integer ${SAFE_INTEGER_RANGE}`);
      }
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw ApiError.invalid(field, `${rule.name} must be a finite number`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw ApiError.invalid(field, `${rule.name} must be true or false`);
      return value;
    case 'datetime':
      if (!isExactInteger(value) || value < 0) {
        throw ApiError.invalid(
          field,
          `${rule.name} must be a unix timestamp in whole seconds (an integer between 0 and 2^53 - 1)`,
        );
      }
      return value;
    case 'list':
      return listLabel(rule, value, field);
    default: {
      const never: never = rule.dataType;
      throw new Error(`unhandled data_type ${String(never)}`);
    }
  }
}

function listLabel(rule: AttributeRule, value: unknown, field: string): string {
  const items = (rule.inputOptions?.list_items ?? []).filter((item) => item.archived !== true);
  if (typeof value === 'string') {
    // BEHAVIOUR.md §2 (decided): an item's id or its exact label; stored and returned as the label.
    const item = items.find((candidate) => candidate.id === value) ?? items.find((c) => c.label === value);
    if (item) return item.label;
  }
  const allowed = items.map((item) => JSON.stringify(item.label)).join(', ');
  throw ApiError.invalid(
    field,
    `${rule.name} must be the id or label of one of its list items (${allowed || 'none available'})`,
  );
}

/** PostgreSQL text and jsonb hold neither U+0000 nor unpaired surrogates (they would fail the write). */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function storableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
