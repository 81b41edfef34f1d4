import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ApiVersion } from '../../src/common/versioning/versions';

/*
 * Reading, comparing and validating OpenAPI documents: ours (/openapi.json?version=…) and Intercom's excerpts
 * (test/fixtures/openapi/, copies of shared/spec/openapi). Shared by test/openapi.e2e-spec.ts (our documents
 * against the excerpts, field by field) and test/versions.e2e-spec.ts (real responses against both).
 */

export type Schema = {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  anyOf?: Schema[];
  allOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
  example?: unknown;
};
export type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
export type Operation = {
  operationId?: string;
  tags?: string[];
  parameters: Parameter[];
  security?: Record<string, string[]>[];
  requestBody: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: object }>;
  description?: string;
};
export type OpenApiDoc = {
  openapi: string;
  info: { version: string; title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, object> };
};

export const FIXTURES = join(__dirname, '..', 'fixtures', 'openapi');

/** The excerpt's file name of a version (`preview` for Preview). */
export function excerptFile(version: ApiVersion): string {
  return `intercom-${version.toLowerCase()}-tickets.openapi.yaml`;
}

const excerpts = new Map<ApiVersion, OpenApiDoc>();

/** Intercom's description of a version's ticket endpoints (the fixture copy of shared/spec/openapi). */
export function loadExcerpt(version: ApiVersion): OpenApiDoc {
  let doc = excerpts.get(version);
  if (!doc) {
    doc = parse(readFileSync(join(FIXTURES, excerptFile(version)), 'utf8')) as OpenApiDoc;
    excerpts.set(version, doc);
  }
  return doc;
}

/** A schema in the document it belongs to: $refs are resolved against that document. */
export type Located = { doc: OpenApiDoc; schema: Schema };

const SCHEMA_REF = '#/components/schemas/';
const MAX_REF_HOPS = 10;

export function lookup(doc: OpenApiDoc, ref: string): Schema {
  const target = doc.components.schemas[ref.replace(SCHEMA_REF, '')];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

/**
 * Follows $refs (and Nest's `allOf: [$ref]` wrapper for nullable references); nullable if any hop says so. An
 * `allOf` that adds properties (2.13's request: `allOf: [$ref]` plus `skip_notifications`) is merged into one.
 */
export function resolve(doc: OpenApiDoc, schema: Schema): { schema: Schema; nullable: boolean } {
  let current = schema;
  let nullable = schema.nullable === true;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    if (current.$ref) current = lookup(doc, current.$ref);
    else if (current.allOf?.length === 1 && !current.properties) current = current.allOf[0];
    else if (current.allOf) return { schema: mergeAllOf(doc, current), nullable };
    else return { schema: current, nullable };
    nullable ||= current.nullable === true;
  }
  throw new Error('$ref chain too long');
}

function mergeAllOf(doc: OpenApiDoc, schema: Schema): Schema {
  const parts = [...(schema.allOf ?? []).map((part) => resolve(doc, part).schema), schema];
  return {
    type: 'object',
    properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, Schema>,
    required: parts.flatMap((part) => part.required ?? []),
  };
}

export const typeOf = (schema: Schema) => schema.type ?? (schema.properties ? 'object' : undefined);
export const sorted = (values: unknown[]) => values.map(String).sort();

/**
 * Every difference in names, types, enums, nullability and required-ness between Intercom's schema and ours,
 * one line each, at JSON paths from `path`. Required-ness one way only: a field the excerpt requires that our
 * document does not promise in every body. (Ours promises more: every always-present field is required.)
 */
export function compareSchemas(
  theirs: Located,
  ours: Located,
  path: string,
  diffs: string[] = [],
  root = false,
): string[] {
  const e = resolve(theirs.doc, theirs.schema);
  const o = resolve(ours.doc, ours.schema);
  if (typeOf(e.schema) !== typeOf(o.schema)) {
    diffs.push(`${path}: type is ${typeOf(e.schema)} in the excerpt, ${typeOf(o.schema)} in ours`);
    return diffs;
  }
  // The excerpt's root schemas are nullable where other endpoints embed them; a response body itself is not.
  if (!root && e.nullable !== o.nullable) {
    diffs.push(`${path}: nullable is ${e.nullable} in the excerpt, ${o.nullable} in ours`);
  }
  if (
    e.schema.enum &&
    JSON.stringify(sorted(e.schema.enum)) !== JSON.stringify(sorted(o.schema.enum ?? []))
  ) {
    diffs.push(
      `${path}: enum is ${JSON.stringify(e.schema.enum)} in the excerpt, ${JSON.stringify(o.schema.enum)} in ours`,
    );
  }
  const theirProps = e.schema.properties ?? {};
  const ourProps = o.schema.properties ?? {};
  for (const [name, schema] of Object.entries(theirProps)) {
    if (ourProps[name]) {
      compareSchemas(
        { doc: theirs.doc, schema },
        { doc: ours.doc, schema: ourProps[name] },
        `${path}.${name}`,
        diffs,
      );
      if (e.schema.required?.includes(name) && !o.schema.required?.includes(name)) {
        diffs.push(`${path}.${name}: required in the excerpt, not in ours`);
      }
    } else diffs.push(`${path}.${name}: missing in ours`);
  }
  for (const name of Object.keys(ourProps)) {
    if (!theirProps[name]) diffs.push(`${path}.${name}: not in the excerpt`);
  }
  if (e.schema.items) {
    if (o.schema.items) {
      compareSchemas(
        { doc: theirs.doc, schema: e.schema.items },
        { doc: ours.doc, schema: o.schema.items },
        `${path}[]`,
        diffs,
      );
    } else diffs.push(`${path}[]: items missing in ours`);
  }
  const theirValues =
    typeof e.schema.additionalProperties === 'object' ? e.schema.additionalProperties : undefined;
  const ourValues =
    typeof o.schema.additionalProperties === 'object' ? o.schema.additionalProperties : undefined;
  if (theirValues?.anyOf || ourValues?.anyOf) {
    compareBranches(theirs.doc, theirValues?.anyOf, ours.doc, ourValues?.anyOf, `${path}{*`, diffs);
  } else if (theirValues) {
    if (ourValues) {
      compareSchemas(
        { doc: theirs.doc, schema: theirValues },
        { doc: ours.doc, schema: ourValues },
        `${path}{*}`,
        diffs,
      );
    } else diffs.push(`${path}{*}: values missing in ours`);
  }
  if (e.schema.oneOf || o.schema.oneOf) {
    compareBranches(theirs.doc, e.schema.oneOf, ours.doc, o.schema.oneOf, `${path}(`, diffs);
  }
  return diffs;
}

/** anyOf / oneOf: the same kinds of value, matched by type. */
function compareBranches(
  theirDoc: OpenApiDoc,
  theirBranches: Schema[] | undefined,
  ourDoc: OpenApiDoc,
  ourBranches: Schema[] | undefined,
  prefix: string,
  diffs: string[],
): void {
  const close = prefix.endsWith('{*') ? '}' : ')';
  const byType = (doc: OpenApiDoc, branches: Schema[] = []) =>
    new Map(branches.map((branch) => [typeOf(resolve(doc, branch).schema), branch]));
  const theirs = byType(theirDoc, theirBranches);
  const ours = byType(ourDoc, ourBranches);
  for (const [type, branch] of theirs) {
    const match = ours.get(type);
    const path = `${prefix}:${type}${close}`;
    if (match) compareSchemas({ doc: theirDoc, schema: branch }, { doc: ourDoc, schema: match }, path, diffs);
    else diffs.push(`${path}: value kind missing in ours`);
  }
  for (const type of ours.keys()) {
    if (!theirs.has(type)) diffs.push(`${prefix}:${type}${close}: value kind not in the excerpt`);
  }
}

/** The JSON schema of an operation's response (or request body, status `request`). */
export function operationSchema(doc: OpenApiDoc, path: string, method: string, status: string): Schema {
  const operation = doc.paths[path]?.[method];
  if (!operation) throw new Error(`no ${method.toUpperCase()} ${path}`);
  const content =
    status === 'request' ? operation.requestBody?.content : operation.responses[status]?.content;
  const schema = content?.['application/json']?.schema;
  if (!schema) throw new Error(`no JSON ${status} on ${method.toUpperCase()} ${path}`);
  return schema;
}

/** The path of the ticket routes in a document: `/tickets/{id}`, or `/tickets/{ticket_id}` in some excerpts. */
export function ticketPath(doc: OpenApiDoc): string {
  const path = Object.keys(doc.paths).find((key) => /^\/tickets\/\{[a-z_]+\}$/.test(key));
  if (!path) throw new Error('no /tickets/{…} path');
  return path;
}

/** The names of the components a schema uses, itself included (other routes' schemas are not our business). */
export function reachable(doc: OpenApiDoc, root: Schema): Set<string> {
  const names = new Set<string>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      const ref = (node as Schema).$ref;
      if (ref) {
        const name = ref.replace(SCHEMA_REF, '');
        if (!names.has(name)) pending.push(lookup(doc, ref));
        names.add(name);
      }
      pending.push(...Object.values(node));
    }
  }
  return names;
}

export type ClosingOptions = {
  /**
   * Per owner (a schema name, then `.property`, `[]` and `{*}` steps: `ticket_part`, `error.errors[]`), the
   * properties a body may omit; every other declared property must be present.
   */
  optional: Record<string, string[]>;
  /** `required` lists that differ from "every property but the optional ones" are reported here, if given. */
  requiredDiffs?: string[];
  /**
   * Rewrite the declared `required` lists to "every property but the optional ones" (for an excerpt, whose lists
   * say less); without it, they are kept and compared.
   */
  enforceRequired?: boolean;
};

/**
 * The components a root uses as one JSON Schema for ajv, closed: every object with declared properties gets
 * `additionalProperties: false`. OpenAPI's `nullable` next to a `$ref` becomes an `anyOf` with null, and an
 * object described by its properties alone gets `type: object`, as ajv's strict mode wants them.
 */
export function closedSchemas(
  doc: OpenApiDoc,
  root: Schema,
  options: ClosingOptions,
): Record<string, unknown> {
  const close = (schema: Schema, owner: string): Schema => {
    let copy: Schema = { ...schema };
    if (copy.properties) {
      copy.type ??= 'object';
      const names = Object.keys(copy.properties);
      const expected = names.filter((name) => !(options.optional[owner] ?? []).includes(name));
      if (options.enforceRequired) copy.required = expected;
      else if (JSON.stringify(sorted(copy.required ?? [])) !== JSON.stringify(sorted(expected))) {
        options.requiredDiffs?.push(
          `${owner}: required is ${JSON.stringify(copy.required ?? [])}, expected ${JSON.stringify(expected)}`,
        );
      }
      copy.properties = Object.fromEntries(
        names.map((name) => [name, close(copy.properties![name], `${owner}.${name}`)]),
      );
      copy.additionalProperties ??= false;
    }
    if (copy.items) copy.items = close(copy.items, `${owner}[]`);
    if (typeof copy.additionalProperties === 'object')
      copy.additionalProperties = close(copy.additionalProperties, `${owner}{*}`);
    for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
      if (copy[key]) copy[key] = copy[key].map((branch) => close(branch, owner));
    }
    if (copy.$ref) {
      const target = { $ref: copy.$ref.replace(SCHEMA_REF, '#/$defs/') };
      const { $ref: _ref, nullable, ...rest } = copy;
      void _ref;
      copy = nullable ? { ...rest, anyOf: [target, { type: 'null' }] } : { ...rest, ...target };
    }
    return copy;
  };
  return Object.fromEntries(
    [...reachable(doc, root)].map((name) => [name, close(lookup(doc, `${SCHEMA_REF}${name}`), name)]),
  );
}

/** A validator of bodies against `root` (a `$ref`), closed as closedSchemas says. */
export function validatorFor(doc: OpenApiDoc, root: Schema, options: ClosingOptions): ValidateFunction {
  // strict: unknown keywords, formats and type mix-ups in the schemas fail the test too.
  // strictRequired off: Preview's `translations` requires `original` among its additionalProperties, as it may.
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  ajv.addVocabulary(['example', 'x-tags']); // OpenAPI's annotations, not JSON Schema keywords
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  // Intercom's formats on integer timestamps: formats check strings only, so these never apply.
  ajv.addFormat('date-time', true);
  ajv.addFormat('timestamp', true);
  if (!root.$ref) throw new Error('validatorFor needs a $ref root');
  return ajv.compile({
    $defs: closedSchemas(doc, root, options),
    $ref: root.$ref.replace(SCHEMA_REF, '#/$defs/'),
  });
}

export function violations(validate: ValidateFunction, body: unknown): string[] {
  validate(body);
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}
