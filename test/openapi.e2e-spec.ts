import type { ValidateFunction } from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { type ApiVersion, atLeast, NUMBERED_VERSIONS } from '../src/common/versioning/versions';
import { DOCUMENTED_VERSIONS } from '../src/docs/openapi-versions';
import { putTicket, useApp, useSeededApp } from './support/app';
import {
  IDS,
  partRows,
  seedWorkspace,
  standardSnapshot,
  ticketRow,
  withFileAndAttachment,
} from './support/factories';
import {
  closedSchemas,
  compareSchemas,
  excerptFile,
  FIXTURES,
  loadExcerpt,
  type OpenApiDoc,
  type Operation,
  operationSchema,
  resolve,
  ticketPath,
  validatorFor,
  violations,
} from './support/openapi';

/*
 * The generated OpenAPI documents (issue #3 item 8, issue #11 point 9): one per version, served publicly, equal to
 * Intercom's description of that version (test/fixtures/openapi, copies of shared/spec/openapi) on every field
 * name, type, enum and nullability, and honoured by real responses (here at 2.9; every version in
 * test/versions.e2e-spec.ts), so the docs cannot drift from the mapper.
 */

/** The 2.9 excerpt of PUT /tickets/{id} that issue #3 compared against (shared/spec, beside BEHAVIOUR.md). */
const EXCERPT = parse(
  readFileSync(join(__dirname, 'fixtures/intercom-2.9-update-ticket.openapi.yaml'), 'utf8'),
) as OpenApiDoc;

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

const TICKET = '/tickets/{id}';
const updateTicket = (doc: OpenApiDoc) => doc.paths[TICKET].put;
const jsonSchema = (doc: OpenApiDoc, status: string) => operationSchema(doc, TICKET, 'put', status);

const since = (first: ApiVersion) => DOCUMENTED_VERSIONS.filter((version) => atLeast(version, first));
const FILE_FIELDS = ['content_type', 'filesize', 'width', 'height'];

/**
 * Where our document of a version deliberately differs from Intercom's excerpt of it, each with what allows it.
 * A difference the comparison finds must be fixed (in the DTOs or the version's change module) or listed here,
 * and in the README ("The API").
 */
const DELIBERATE: { versions: readonly ApiVersion[]; differences: string[]; why: string }[] = [
  {
    versions: since('2.10'),
    differences: ['ticket.snoozed_until: nullable is false in the excerpt, true in ours'],
    why:
      'BEHAVIOUR.md §6: null when the ticket is not snoozed, as the excerpt itself describes it ("If null, the ' +
      'ticket is not currently snoozed") though its schema omits nullable',
  },
  {
    versions: ['2.11'],
    differences: ['ticket.ticket_parts.ticket_parts[].ticket_state: required in the excerpt, not in ours'],
    why: 'BEHAVIOUR.md §1: ticket_state is only on ticket_state_updated_by_admin parts',
  },
  {
    versions: ['2.11'],
    differences: FILE_FIELDS.flatMap((field) => [
      `ticket.ticket_attributes{*:object}.${field}: required in the excerpt, not in ours`,
      `ticket.ticket_parts.ticket_parts[].attachments[].${field}: required in the excerpt, not in ours`,
    ]),
    why: 'README "The API": file values and attachments are shown as imported; only type, name and url are always there',
  },
  {
    versions: since('2.12'),
    differences: ['request.company_id: nullable is false in the excerpt, true in ours'],
    why:
      'BEHAVIOUR.md §6: null removes the company, as the excerpt itself describes it ("Set to nil to remove ' +
      'company")',
  },
  {
    versions: since('2.12'),
    differences: ['workspace_id', 'ticket_type_attributes', 'ticket_states', 'created_at', 'updated_at'].map(
      (field) => `ticket_state_list.data[].ticket_types.data[].${field}: missing in ours`,
    ),
    why:
      'README "The API": GET /ticket_states shows each state\'s ticket types in the short form of Intercom\'s ' +
      'recorded example (schema ticket_state_ticket_type), not the full ticket_type',
  },
  {
    versions: ['2.11', '2.14', '2.15', '2.16'],
    differences: ['path: /tickets/{ticket_id} in the excerpt, /tickets/{id} in ours'],
    why:
      'README "The API": one route serves every version (BEHAVIOUR.md §6: no second controller), and a path ' +
      "parameter's name is not on the wire",
  },
];

function deliberate(version: ApiVersion, prefix: string): string[] {
  return DELIBERATE.filter((entry) => entry.versions.includes(version))
    .flatMap((entry) => entry.differences)
    .filter((difference) => difference.startsWith(prefix))
    .sort();
}

async function documentOf(http: Parameters<typeof request>[0], version?: string): Promise<OpenApiDoc> {
  const url = version === undefined ? '/openapi.json' : `/openapi.json?version=${version}`;
  return (
    await request(http)
      .get(url)
      .expect(200)
      .expect('Content-Type', /^application\/json/)
  ).body as OpenApiDoc;
}

let generated: OpenApiDoc;

/** Our 2.9 document against the excerpt of issue #3, as before per-version documents. */
function compare29(theirs: object, ours: object, root: string): string[] {
  return compareSchemas({ doc: EXCERPT, schema: theirs }, { doc: generated, schema: ours }, root, [], true);
}

describe('OpenAPI document', () => {
  const ctx = useApp();

  beforeAll(async () => {
    generated = await documentOf(ctx.t.http);
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

    // The assets the page loads are served, and the init script carries the 2.9 document.
    const assets = [...page.text.matchAll(/(?:src|href)=["']\.\/docs\/([^"']+)["']/g)].map((m) => m[1]);
    expect(assets).toEqual(
      expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']),
    );
    for (const asset of assets) await request(ctx.t.http).get(`/docs/${asset}`).expect(200);
    const init = await request(ctx.t.http).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"operationId": "updateTicket"');
  });

  it('agrees with the excerpt on the 200 body: every field name, type, enum and nullability', () => {
    expect(compare29(jsonSchema(EXCERPT, '200'), jsonSchema(generated, '200'), 'ticket')).toEqual([]);
  });

  it('agrees with the excerpt on the request body', () => {
    const theirs = updateTicket(EXCERPT).requestBody.content['application/json'].schema;
    const ours = updateTicket(generated).requestBody.content['application/json'].schema;
    expect(compare29(theirs, ours, 'request')).toEqual([]);
  });

  it('agrees with the excerpt on the error body', () => {
    expect(compare29(jsonSchema(EXCERPT, '401'), jsonSchema(generated, '401'), 'error')).toEqual([]);
  });
});

describe('OpenAPI documents of every version (issue #11 point 9)', () => {
  const ctx = useApp();
  const documents = new Map<ApiVersion, OpenApiDoc>();
  const ours = (version: ApiVersion) => documents.get(version)!;

  beforeAll(async () => {
    for (const version of DOCUMENTED_VERSIONS) documents.set(version, await documentOf(ctx.t.http, version));
  });

  it('documents every version from 2.9 on: 2.9 to 2.16 and Preview', () => {
    expect(DOCUMENTED_VERSIONS).toEqual([
      '2.9',
      '2.10',
      '2.11',
      '2.12',
      '2.13',
      '2.14',
      '2.15',
      '2.16',
      'Preview',
    ]);
  });

  it("serves the 2.9 document without a version, and Preview's for Unstable, byte for byte", async () => {
    const plain = await request(ctx.t.http).get('/openapi.json').expect(200);
    const named = await request(ctx.t.http).get('/openapi.json?version=2.9').expect(200);
    expect(plain.text).toBe(named.text);
    const unstable = await request(ctx.t.http).get('/openapi.json?version=Unstable').expect(200);
    const preview = await request(ctx.t.http).get('/openapi.json?version=Preview').expect(200);
    expect(unstable.text).toBe(preview.text);
  });

  it.each(['2.8', '1.0', '2.17', 'preview', 'unstable', '', '2.9 '])(
    'answers ?version=%j with 400 in the error.list shape, naming the documented versions',
    async (version) => {
      const res = await request(ctx.t.http)
        .get(`/openapi.json?version=${encodeURIComponent(version)}`)
        .expect(400)
        .expect('Content-Type', /^application\/json/);
      expect(res.body).toEqual({
        type: 'error.list',
        request_id: res.headers['x-request-id'],
        errors: [
          {
            code: 'parameter_invalid',
            field: 'version',
            message:
              `No OpenAPI document for version ${JSON.stringify(version)}: documents exist for ` +
              `${DOCUMENTED_VERSIONS.join(', ')}, Unstable (Unstable is an alias of Preview)`,
          },
        ],
      });
    },
  );

  it('answers a repeated ?version= with 400 too', async () => {
    const res = await request(ctx.t.http).get('/openapi.json?version=2.9&version=2.10').expect(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'version' });
  });

  it.each(DOCUMENTED_VERSIONS)(
    '%s: names its version, defaults Intercom-Version to it, and has its operations',
    (version) => {
      const doc = ours(version);
      expect(doc.info.version).toBe(version);
      expect(doc.info.description).toContain(`\`Intercom-Version: ${version}\``);
      const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const),
      );
      expect(
        operations
          .filter(([route]) => !route.includes('/health/'))
          .map(([route, op]) => [route, op.operationId]),
      ).toEqual([
        ['GET /tickets/{id}', 'getTicket'],
        ['PUT /tickets/{id}', 'updateTicket'],
        ...(atLeast(version, '2.12') ? [['GET /ticket_states', 'listTicketStates']] : []),
      ]);
      for (const [, op] of operations.filter(([route]) => !route.includes('/health/'))) {
        const header = op.parameters.find((p) => p.name === 'Intercom-Version');
        expect(header).toMatchObject({ in: 'header', required: false });
        expect(header!.schema).toMatchObject({ default: version, example: version });
        expect(header!.schema!.enum).toEqual([...NUMBERED_VERSIONS, 'Preview', 'Unstable']);
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        // One tag each, Intercom's ('Tickets' or 'Ticket States'): one section per route in /docs.
        expect(op.tags).toEqual([op.operationId === 'listTicketStates' ? 'Ticket States' : 'Tickets']);
      }
      // The update says the service accepts every version's fields although it shows this version's.
      expect(doc.paths[TICKET].put.description).toContain(
        'The service accepts the fields of every version at every version',
      );
    },
  );

  it.each(DOCUMENTED_VERSIONS)('%s: every schema it has is used, and none is missing', (version) => {
    const doc = ours(version);
    const used = new Set<string>();
    const text = JSON.stringify(doc.paths);
    const refs = (value: string) =>
      [...value.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    const pending = refs(text);
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (used.has(name)) continue;
      used.add(name);
      expect(doc.components.schemas[name]).toBeDefined();
      pending.push(...refs(JSON.stringify(doc.components.schemas[name])));
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual([...used].sort());
    expect(used.has('update_ticket_request_assignment')).toBe(!atLeast(version, '2.14'));
    expect(used.has('ticket_state_list')).toBe(atLeast(version, '2.12'));
  });

  describe.each(DOCUMENTED_VERSIONS)('%s against its excerpt', (version) => {
    const theirs = () => loadExcerpt(version);
    // Sorted: the order of the excerpt's properties is not the point.
    const compare = (theirSchema: object, ourSchema: object, root: string) =>
      compareSchemas(
        { doc: theirs(), schema: theirSchema },
        { doc: ours(version), schema: ourSchema },
        root,
        [],
        true,
      ).sort();

    it('the ticket of PUT and of GET: every field name, type, enum, nullability and required field', () => {
      for (const method of ['put', 'get']) {
        expect(
          compare(
            operationSchema(theirs(), ticketPath(theirs()), method, '200'),
            operationSchema(ours(version), TICKET, method, '200'),
            'ticket',
          ),
        ).toEqual(deliberate(version, 'ticket.'));
      }
    });

    it('the request body', () => {
      expect(
        compare(
          operationSchema(theirs(), ticketPath(theirs()), 'put', 'request'),
          operationSchema(ours(version), TICKET, 'put', 'request'),
          'request',
        ),
      ).toEqual(deliberate(version, 'request.'));
    });

    it('the error body', () => {
      for (const method of ['put', 'get']) {
        expect(
          compare(
            operationSchema(theirs(), ticketPath(theirs()), method, '401'),
            operationSchema(ours(version), TICKET, method, '401'),
            'error',
          ),
        ).toEqual(deliberate(version, 'error.'));
      }
    });

    it('the ticket state list (2.12 on), or no /ticket_states at all', () => {
      expect(Boolean(theirs().paths['/ticket_states'])).toBe(atLeast(version, '2.12'));
      if (!atLeast(version, '2.12')) {
        expect(ours(version).paths['/ticket_states']).toBeUndefined();
        return;
      }
      expect(
        compare(
          operationSchema(theirs(), '/ticket_states', 'get', '200'),
          operationSchema(ours(version), '/ticket_states', 'get', '200'),
          'ticket_state_list',
        ),
      ).toEqual(deliberate(version, 'ticket_state_list.'));
    });

    it("the operations: the excerpt's ids, path parameters and responses are ours too", () => {
      const path = ticketPath(theirs());
      expect(path === TICKET ? [] : [`path: ${path} in the excerpt, ${TICKET} in ours`]).toEqual(
        deliberate(version, 'path:'),
      );
      const routes: [string, string, string][] = [
        [path, TICKET, 'get'],
        [path, TICKET, 'put'],
        ...(atLeast(version, '2.12')
          ? ([['/ticket_states', '/ticket_states', 'get']] as [string, string, string][])
          : []),
      ];
      for (const [theirPath, ourPath, method] of routes) {
        const their: Operation = theirs().paths[theirPath][method];
        const our = ours(version).paths[ourPath][method];
        expect(our.operationId).toBe(their.operationId);
        expect(Object.keys(our.responses)).toEqual(expect.arrayContaining(Object.keys(their.responses)));
        const pathParameters = (op: Operation) => op.parameters.filter((p) => p.in === 'path');
        const shape = (p: Operation['parameters'][number]) => ({
          type: p.schema?.type,
          required: p.required,
        });
        expect(pathParameters(our).map(shape)).toEqual(pathParameters(their).map(shape));
      }
    });
  });

  it('would see a version change: our 2.11 document is not the 2.12 excerpt', () => {
    const diffs = compareSchemas(
      { doc: loadExcerpt('2.12'), schema: operationSchema(loadExcerpt('2.12'), TICKET, 'put', '200') },
      { doc: ours('2.11'), schema: operationSchema(ours('2.11'), TICKET, 'put', '200') },
      'ticket',
      [],
      true,
    );
    expect(diffs).toEqual(
      expect.arrayContaining([
        'ticket.ticket_state: type is object in the excerpt, string in ours',
        'ticket.ticket_state_internal_label: not in the excerpt',
        'ticket.ticket_type.ticket_states: missing in ours',
        'ticket.ticket_type.ticket_type_attributes.ticket_type_attributes[]: nullable is true in the excerpt, false in ours',
      ]),
    );
  });

  it('gives each deliberate difference a reason, and lists it once', () => {
    for (const entry of DELIBERATE) {
      expect(entry.why).toMatch(/BEHAVIOUR\.md §\d|README "/);
      expect(new Set(entry.differences).size).toBe(entry.differences.length);
    }
  });
});

describe('OpenAPI excerpts (test/fixtures/openapi)', () => {
  it('hold one excerpt per documented version', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(DOCUMENTED_VERSIONS.map(excerptFile).sort());
    for (const version of DOCUMENTED_VERSIONS) {
      expect(loadExcerpt(version).info.version).toBe(version === 'Preview' ? 'Preview' : version);
    }
  });

  // CI runs from a clean clone, without shared/: the copies must then be what shared/spec/openapi holds.
  const SHARED = join(__dirname, '..', '..', 'shared', 'spec', 'openapi');
  (existsSync(SHARED) ? it : it.skip)('are the excerpts of shared/spec/openapi, byte for byte', () => {
    const files = readdirSync(SHARED).filter((name) => name.endsWith('.yaml'));
    expect(files.sort()).toEqual(readdirSync(FIXTURES).sort());
    for (const file of files) {
      expect(readFileSync(join(FIXTURES, file)).equals(readFileSync(join(SHARED, file)))).toBe(true);
    }
  });
});

describe('OpenAPI document against real responses (drift guard)', () => {
  const ctx = useSeededApp(() => seedWorkspace((id) => withFileAndAttachment(standardSnapshot(id))));
  let validateTicket: ValidateFunction;
  let validateError: ValidateFunction;
  const requiredDiffs: string[] = [];

  beforeAll(async () => {
    const doc = await documentOf(ctx.t.http);
    const options = { optional: OPTIONAL_PROPERTIES, requiredDiffs };
    validateTicket = validatorFor(doc, jsonSchema(doc, '200'), options);
    validateError = validatorFor(doc, jsonSchema(doc, '404'), options);
    closedSchemas(doc, updateTicket(doc).requestBody.content['application/json'].schema, options);
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
