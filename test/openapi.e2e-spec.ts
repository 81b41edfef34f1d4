import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { putTicket, useApp, useSeededApp } from './support/app';
import { IDS, partRows, seedWorkspace, standardSnapshot, ticketRow } from './support/factories';
import type { Snapshot } from '../src/import/snapshot.types';

/*
 * The generated OpenAPI document (issue #3 item 8): served publicly, equal to Intercom's 2.9 excerpt on every
 * field name, type, enum and nullability, and honoured by real responses (so the docs cannot drift from the
 * mapper).
 */

type Schema = {
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
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters: Parameter[];
  security?: Record<string, string[]>[];
  requestBody: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: object }>;
};
type OpenApiDoc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, object> };
};

const EXCERPT = parse(
  readFileSync(join(__dirname, 'fixtures/intercom-2.9-update-ticket.openapi.yaml'), 'utf8'),
) as OpenApiDoc;

/**
 * Where this service's schema deliberately differs from the excerpt (BEHAVIOUR.md §1 lets the reference page win
 * over Intercom's recorded examples, but the excerpt's schemas already agree with the reference page): none.
 * A difference found by the comparison must be fixed in the DTOs, or listed here with the section that allows it.
 */
const DELIBERATE_DIFFERENCES: string[] = [];

/** Properties a body may omit; every other declared property is in every body, so the docs mark it required. */
const OPTIONAL_PROPERTIES: Record<string, string[]> = {
  // BEHAVIOUR.md §1: state fields only on state-change parts, assigned_to only on assignment parts.
  ticket_part: ['ticket_state', 'previous_ticket_state', 'assigned_to'],
  // Attachments and file values are returned as stored (imported); only type, name and url are always there.
  part_attachment: ['content_type', 'filesize', 'width', 'height'],
  file_attribute: ['content_type', 'filesize', 'width', 'height'],
  // BEHAVIOUR.md §4: `field` only when an error concerns one.
  'error.errors[]': ['field'],
  // BEHAVIOUR.md §2: every field of the request is optional.
  update_ticket_request: ['ticket_attributes', 'state', 'is_shared', 'assignment'],
};

const MAX_REF_HOPS = 10;

function lookup(doc: OpenApiDoc, ref: string): Schema {
  const name = ref.replace('#/components/schemas/', '');
  const target = doc.components.schemas[name];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

/** Follows $refs (and Nest's `allOf: [$ref]` wrapper for nullable references); nullable if any hop says so. */
function resolve(doc: OpenApiDoc, schema: Schema): { schema: Schema; nullable: boolean } {
  let current = schema;
  let nullable = schema.nullable === true;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    if (current.$ref) current = lookup(doc, current.$ref);
    else if (current.allOf?.length === 1 && !current.properties) current = current.allOf[0]!;
    else return { schema: current, nullable };
    nullable ||= current.nullable === true;
  }
  throw new Error('$ref chain too long');
}

const typeOf = (schema: Schema) => schema.type ?? (schema.properties ? 'object' : undefined);
const sorted = (values: unknown[]) => values.map(String).sort();

/** Lists every difference in names, types, enums and nullability between the excerpt's schema and ours. */
function compareSchemas(
  excerpt: Schema,
  ours: Schema,
  path: string,
  diffs: string[],
  root = false,
): string[] {
  const e = resolve(EXCERPT, excerpt);
  const o = resolve(generated, ours);
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
    if (ourProps[name]) compareSchemas(schema, ourProps[name], `${path}.${name}`, diffs);
    else diffs.push(`${path}.${name}: missing in ours`);
  }
  for (const name of Object.keys(ourProps)) {
    if (!theirProps[name]) diffs.push(`${path}.${name}: not in the excerpt`);
  }
  if (e.schema.items) {
    if (o.schema.items) compareSchemas(e.schema.items, o.schema.items, `${path}[]`, diffs);
    else diffs.push(`${path}[]: items missing in ours`);
  }
  compareAnyOfValues(e.schema, o.schema, path, diffs);
  return diffs;
}

/** Free-form maps (ticket_attributes): the same kinds of value, matched by type. */
function compareAnyOfValues(excerpt: Schema, ours: Schema, path: string, diffs: string[]): void {
  const branches = (doc: OpenApiDoc, schema: Schema) => {
    const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return new Map((values?.anyOf ?? []).map((branch) => [typeOf(resolve(doc, branch).schema), branch]));
  };
  const theirBranches = branches(EXCERPT, excerpt);
  const ourBranches = branches(generated, ours);
  for (const [type, branch] of theirBranches) {
    const match = ourBranches.get(type);
    if (match) compareSchemas(branch, match, `${path}{*:${type}}`, diffs);
    else diffs.push(`${path}{*:${type}}: value kind missing in ours`);
  }
  for (const type of ourBranches.keys()) {
    if (!theirBranches.has(type)) diffs.push(`${path}{*:${type}}: value kind not in the excerpt`);
  }
}

const updateTicket = (doc: OpenApiDoc) => doc.paths['/tickets/{id}'].put;
const jsonSchema = (doc: OpenApiDoc, status: string) =>
  updateTicket(doc).responses[status].content!['application/json'].schema;

/** The names of the components a schema uses, itself included (other routes' schemas are not our business). */
function reachable(doc: OpenApiDoc, root: Schema): Set<string> {
  const names = new Set<string>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      const ref = (node as Schema).$ref;
      if (ref) {
        const name = ref.replace('#/components/schemas/', '');
        if (!names.has(name)) pending.push(lookup(doc, ref));
        names.add(name);
      }
      pending.push(...Object.values(node));
    }
  }
  return names;
}

/**
 * The components a root uses as one JSON Schema for ajv, closed: every object with declared properties gets
 * `additionalProperties: false`, and its declared `required` must be all of its properties but OPTIONAL_PROPERTIES.
 */
function closedSchemas(doc: OpenApiDoc, root: Schema, requiredDiffs: string[]): Record<string, unknown> {
  const close = (schema: Schema, owner: string): Schema => {
    const copy: Schema = { ...schema };
    if (copy.$ref) copy.$ref = copy.$ref.replace('#/components/schemas/', '#/$defs/');
    if (copy.properties) {
      const names = Object.keys(copy.properties);
      const expected = names.filter((name) => !(OPTIONAL_PROPERTIES[owner] ?? []).includes(name));
      if (JSON.stringify(sorted(copy.required ?? [])) !== JSON.stringify(sorted(expected))) {
        requiredDiffs.push(
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
    if (copy.anyOf) copy.anyOf = copy.anyOf.map((branch) => close(branch, owner));
    if (copy.allOf) copy.allOf = copy.allOf.map((branch) => close(branch, owner));
    return copy;
  };
  return Object.fromEntries(
    [...reachable(doc, root)].map((name) => [name, close(lookup(doc, `#/components/schemas/${name}`), name)]),
  );
}

function validatorFor(doc: OpenApiDoc, root: Schema, requiredDiffs: string[]): ValidateFunction {
  // strict: unknown keywords, formats and type mix-ups in our generated schema fail the test too.
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addVocabulary(['example']); // OpenAPI's annotation, not a JSON Schema keyword
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  return ajv.compile({
    $defs: closedSchemas(doc, root, requiredDiffs),
    $ref: root.$ref!.replace('#/components/schemas/', '#/$defs/'),
  });
}

function violations(validate: ValidateFunction, body: unknown): string[] {
  validate(body);
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

let generated: OpenApiDoc;

describe('OpenAPI document', () => {
  const ctx = useApp();

  beforeAll(async () => {
    const res = await request(ctx.t.http).get('/openapi.json').expect(200);
    generated = res.body as OpenApiDoc;
  });

  it('is served at /openapi.json without a token, and describes PUT /tickets/{id}', async () => {
    const res = await request(ctx.t.http).get('/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(res.body.info.version).toBe('2.9');
    expect(res.body.paths['/tickets/{id}']?.put?.operationId).toBe('updateTicket');

    const op = updateTicket(generated);
    expect(generated.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op.parameters.find((p) => p.in === 'path')).toMatchObject({
      name: 'id',
      required: true,
      schema: { type: 'string' },
    });
    const errors = ['400', '401', '404', '409', '412', '413', '415', '422', '428', '429', '500', '503'];
    expect(Object.keys(op.responses).sort()).toEqual(['200', ...errors]);
    // Issue #4's request headers (If-Match, Idempotency-Key) are documented too.
    expect(op.parameters.filter((p) => p.in === 'header').map((p) => p.name)).toEqual([
      'Intercom-Version',
      'If-Match',
      'Idempotency-Key',
    ]);
    for (const status of errors) {
      expect(jsonSchema(generated, status)).toEqual({ $ref: '#/components/schemas/error' });
    }
  });

  it('documents Intercom-Version as the excerpt does, plus Preview and Unstable (BEHAVIOUR.md §5)', () => {
    const ours = updateTicket(generated).parameters.find((p) => p.name === 'Intercom-Version');
    const theirs = updateTicket(EXCERPT).parameters.find((p) => p.name === 'Intercom-Version');
    expect(ours).toMatchObject({ in: 'header', required: false, schema: { type: 'string', default: '2.9' } });
    const theirEnum = resolve(EXCERPT, theirs!.schema!).schema.enum!;
    expect(ours!.schema!.enum).toEqual([
      ...theirEnum,
      ...['2.10', '2.11', '2.12', '2.13', '2.14', '2.15', '2.16'],
      'Preview',
      'Unstable',
    ]);
  });

  it('serves Swagger UI at /docs without a token, with no inline script (helmet CSP keeps working)', async () => {
    const page = await request(ctx.t.http).get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<div id="swagger-ui"></div>');
    // script-src 'self' (helmet's default) blocks inline scripts: every script must be a same-origin file.
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/\ssrc=["'][^"':]+["']/);
    const csp = String(page.headers['content-security-policy'] ?? '');
    expect(csp).toMatch(/script-src 'self'/);
    // Over plain HTTP to a host name, upgrade-insecure-requests sends the page's scripts to https: blank page.
    expect(csp).not.toContain('upgrade-insecure-requests');

    // The assets the page loads are served, and the init script carries this document.
    const assets = [...page.text.matchAll(/(?:src|href)=["']\.\/docs\/([^"']+)["']/g)].map((m) => m[1]);
    expect(assets).toEqual(
      expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']),
    );
    for (const asset of assets) await request(ctx.t.http).get(`/docs/${asset}`).expect(200);
    const init = await request(ctx.t.http).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"operationId": "updateTicket"');
  });

  it('agrees with the excerpt on the 200 body: every field name, type, enum and nullability', () => {
    const diffs = compareSchemas(
      jsonSchema(EXCERPT, '200'),
      jsonSchema(generated, '200'),
      'ticket',
      [],
      true,
    );
    expect(diffs).toEqual(DELIBERATE_DIFFERENCES);
  });

  it('agrees with the excerpt on the request body', () => {
    const theirs = updateTicket(EXCERPT).requestBody.content['application/json'].schema;
    const ours = updateTicket(generated).requestBody.content['application/json'].schema;
    expect(compareSchemas(theirs, ours, 'request', [], true)).toEqual(DELIBERATE_DIFFERENCES);
  });

  it('agrees with the excerpt on the error body', () => {
    expect(
      compareSchemas(jsonSchema(EXCERPT, '401'), jsonSchema(generated, '401'), 'error', [], true),
    ).toEqual(DELIBERATE_DIFFERENCES);
  });
});

/** A standard workspace whose ticket also holds a file value and a part with an attachment and external id. */
function richSnapshot(workspaceId: string): Snapshot {
  const snapshot = standardSnapshot(workspaceId);
  const ticket = snapshot.tickets![0];
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

describe('OpenAPI document against real responses (drift guard)', () => {
  const ctx = useSeededApp(() => seedWorkspace(richSnapshot));
  let validateTicket: ValidateFunction;
  let validateError: ValidateFunction;
  const requiredDiffs: string[] = [];

  beforeAll(async () => {
    const doc = (await request(ctx.t.http).get('/openapi.json').expect(200)).body as OpenApiDoc;
    validateTicket = validatorFor(doc, jsonSchema(doc, '200'), requiredDiffs);
    validateError = validatorFor(doc, jsonSchema(doc, '404'), requiredDiffs);
    closedSchemas(doc, updateTicket(doc).requestBody.content['application/json'].schema, requiredDiffs);
  });

  it('declares every always-present property as required, and no other', () => {
    expect(requiredDiffs).toEqual([]);
  });

  it('describes a full update body exactly: no undocumented field, no documented field missing', async () => {
    const full = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      ticket_attributes: { _default_title_: 'New title', Priority: 'Low', 'Affected users': 3 },
      state: 'waiting_on_customer',
      is_shared: false,
      assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
    }).expect(200);
    const parts = full.body.ticket_parts.ticket_parts as { part_type: string }[];
    expect(parts.map((p) => p.part_type)).toEqual([
      'comment',
      'ticket_attribute_updated_by_admin',
      'ticket_attribute_updated_by_admin',
      'ticket_attribute_updated_by_admin',
      'ticket_state_updated_by_admin',
      'assignment',
    ]);
    expect(violations(validateTicket, full.body)).toEqual([]);

    // Unassigning: assigned_to is {type: "nobody_admin", id: null}, which the schema must admit too.
    const unassigned = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      assignment: { admin_id: IDS.admin, assignee_id: '0' },
    }).expect(200);
    expect(unassigned.body.ticket_parts.ticket_parts.at(-1).assigned_to).toEqual({
      type: 'nobody_admin',
      id: null,
    });
    expect(violations(validateTicket, unassigned.body)).toEqual([]);

    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({ state: 'waiting_on_customer', is_shared: false, admin_assignee_id: null });
    expect((await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).length).toBe(
      unassigned.body.ticket_parts.total_count,
    );
  });

  it('fails a body with a field the docs lack, or without one they promise', async () => {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    const extra = structuredClone(res.body);
    extra.ticket_parts.ticket_parts[0].surprise = true;
    expect(violations(validateTicket, extra)).toEqual([
      expect.stringContaining('/ticket_parts/ticket_parts/0 must NOT have additional properties'),
    ]);
    const missing = structuredClone(res.body);
    delete missing.ticket_type.icon;
    expect(violations(validateTicket, missing)).toEqual([
      expect.stringContaining("/ticket_type must have required property 'icon'"),
    ]);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
  });

  it('describes real error bodies exactly', async () => {
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const errors = [
      await putTicket(ctx.t.http, ctx.ws.token, '999999').expect(404),
      await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'submitted' }).expect(400),
      await putTicket(ctx.t.http, 'not-a-token', IDS.ticket).expect(401),
      await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}, { 'Intercom-Version': '2.8' }).expect(400),
    ];
    for (const res of errors) expect(violations(validateError, res.body)).toEqual([]);
    expect(errors[1].body.errors[0].field).toBe('state');
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});
