/* global process, Buffer */
/**
 * YARDSTICK ONLY — never served. Not part of the service, never deployed, never imported by src/.
 *
 * The benchmark's baseline (issues #5 and #13): what `PUT /tickets/:id` costs with no framework at all, so that the
 * service's throughput can be reported as a fraction of it. A bare `node:http` handler and a `pg` Pool of the
 * same size and settings as the service's, issuing the SAME SQL as the service, statement for statement and
 * parameter for parameter, as the same named prepared statements, taken from the compiled service's own
 * statement registry (src/tickets/tickets.repository.ts, src/auth/tokens.service.ts):
 *
 *   auth:  the access-token lookup by SHA-256 digest, on its own pool checkout, once per token per
 *          AUTH_CACHE_TTL_MS (5 s), as the service's token cache does
 *   read:  the ticket, what the request's ids name and the newest 500 parts (tickets.read), one statement
 *   write: when something changes, the ticket, its parts and its audit row if the ticket is still at the
 *          version read (tickets.write), one statement; read again when another update won
 *
 * with one update per ticket at a time in the process (as the service's per-ticket queue), then JSON.stringify of
 * a response of the same shape, built from the same rows. bench/round-trips.mjs checks that both issue the same
 * statements and that their no-op responses are byte-identical. It validates only what it needs to pick the
 * statements: no DTOs, no Intercom-Version rules, no rate limit, no metrics, no logging, no helmet headers, no
 * locking fallback, no Idempotency-Key, no webhooks.
 *
 * Run by bench/bench.mjs as a child process: `PORT=… DATABASE_URL=… node bench/baseline-server.mjs`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const pg = require('pg');

const SETTABLE_STATES = new Set(['in_progress', 'waiting_on_customer', 'resolved']);

// --- The service's SQL: the compiled repositories declare their named statements, and the yardstick takes them
// from the same registry (src/database/prepared-statement.ts `declaredStatement`), so it sends exactly the
// service's SQL by construction; bench/round-trips.mjs checks it statement by statement. ---
require('../dist/src/auth/tokens.service.js');
require('../dist/src/tickets/tickets.repository.js');
const { declaredStatement } = require('../dist/src/database/prepared-statement.js');

/** `query(statement, values)`: node-postgres' named statement config with the values added per call. */
const run = (queryable, statement, values) => queryable.query({ ...statement, values });

const AUTH_SQL = declaredStatement('auth.find_token');
const READ_SQL = declaredStatement('tickets.read');
const WRITE_SQL = declaredStatement('tickets.write');
/** The newest parts a response shows (src/tickets/tickets.repository.ts PART_WINDOW). */
const PART_WINDOW = 500;

const STORED_ID = /^(0|[1-9]\d{0,17})$/;

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The yardstick's server (not listening yet) and its pool; `close` ends both. */
export function createBaseline({ databaseUrl, poolSize = 10, statementTimeoutMs = 15_000 }) {
  // The service's pool settings (src/database/data-source.ts): same size, timeouts and startup parameters.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'bench-baseline-yardstick',
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
  });
  pool.on('error', () => undefined);

  const server = createServer((req, res) => {
    handle(pool, req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.code : 'server_error';
      send(res, status, JSON.stringify({ type: 'error.list', errors: [{ code, message: error.message }] }));
    });
  });
  return {
    server,
    close: async () => {
      await new Promise((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

async function handle(pool, req, res) {
  const body = await readBody(req);
  if (req.method === 'GET' && req.url === '/health/live') return send(res, 200, '{"status":"ok"}');
  const match = req.method === 'PUT' ? /^\/tickets\/([^/?#]+)$/.exec(req.url ?? '') : null;
  if (!match) throw new HttpError(404, 'not_found', 'Not found');
  const principal = await authenticate(pool, req.headers.authorization);
  const version = req.headers['intercom-version'] ?? principal.defaultVersion;
  const input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  const requestId = randomUUID();
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('Intercom-Version', version);

  // One update per ticket at a time in this process, as the service's per-ticket queue does (src/tickets/update-
  // queue.ts); the read and the write are each their own statement on any pool connection, the write only if
  // the ticket is still at the version read, read again when it is not (the service locks after two lost races:
  // with the queue, the yardstick alone on its tickets never gets there).
  const ticketId = decodeURIComponent(match[1]);
  const outcome = await serially(`${principal.workspaceId}\n${ticketId}`, async () => {
    for (;;) {
      const done = await updateOnce(pool, principal, requestId, ticketId, input);
      if (done) return done;
    }
  });
  res.setHeader('ETag', outcome.etag);
  return send(res, 200, outcome.render());
}

/** Runs `work` after every earlier call with the same key has settled. */
const chains = new Map();
function serially(key, work) {
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

/** The service's token cache (src/auth/token-cache.ts), minus the LISTEN/NOTIFY invalidation: 5 s per token. */
const AUTH_CACHE_TTL_MS = Number(process.env.AUTH_CACHE_TTL_MS ?? 5_000);
const principals = new Map();

async function authenticate(pool, header) {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!token) throw new HttpError(401, 'unauthorized', 'Access Token Invalid');
  const digest = createHash('sha256').update(token, 'utf8').digest();
  const key = digest.toString('base64');
  const cached = principals.get(key);
  if (cached && cached.expiresAt > Date.now()) return cached.principal;
  const { rows } = await run(pool, AUTH_SQL, [digest]);
  const row = rows[0];
  if (!row || !timingSafeEqual(row.token_hash, digest)) {
    throw new HttpError(401, 'unauthorized', 'Access Token Invalid');
  }
  const principal = {
    workspaceId: row.workspace_id,
    tokenId: row.id,
    defaultVersion: row.default_intercom_version,
  };
  if (AUTH_CACHE_TTL_MS > 0) principals.set(key, { principal, expiresAt: Date.now() + AUTH_CACHE_TTL_MS });
  return principal;
}

async function updateOnce(pool, principal, requestId, id, input) {
  const ws = principal.workspaceId;
  if (!STORED_ID.test(id)) throw new HttpError(404, 'ticket_not_found', 'Ticket not found');
  const assignment = input.assignment;
  const ids = (value) => (value != null && STORED_ID.test(String(value)) ? String(value) : null);
  const rows = (
    await run(pool, READ_SQL, [
      ws,
      id,
      ids(assignment?.admin_id),
      String(assignment?.assignee_id) === '0' ? null : ids(assignment?.assignee_id),
      null,
    ])
  ).rows;
  const first = rows[0];
  if (!first?.ticket) throw new HttpError(404, 'ticket_not_found', 'Ticket not found');
  const ticket = first.ticket;
  const readParts = rows.slice(1);
  const readTotal = Number(first.total_count);

  // The plan (src/tickets/update-plan.ts), minus validation beyond what picks the statements.
  const parts = [];
  const next = {
    state: ticket.state,
    attributes: ticket.attributes,
    admin: ticket.admin_assignee_id,
    team: ticket.team_assignee_id,
    isShared: ticket.is_shared,
    previousStateId: ticket.previous_ticket_state_id,
  };
  if (input.ticket_attributes != null) {
    const byName = new Map(ticket.ticket_type.attributes.map((a) => [a.name, a]));
    const merged = new Map(Object.entries(ticket.attributes));
    for (const [name, raw] of Object.entries(input.ticket_attributes)) {
      const attribute = byName.get(name);
      if (!attribute) throw new HttpError(400, 'parameter_invalid', `Unknown attribute ${name}`);
      const value = attribute.data_type === 'list' ? listLabel(attribute, raw) : raw;
      const stored = merged.has(name) ? merged.get(name) : null;
      if (JSON.stringify(stored) === JSON.stringify(value)) continue;
      if (value === null) merged.delete(name);
      else merged.set(name, value);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      parts.push({
        part_type: 'ticket_attribute_updated_by_admin',
        author_id: ticket.bot_id,
        updated_attribute_data:
          value === null
            ? { attribute: { id: attribute.id, label: name }, value: { id: null, label: '' } }
            : { attribute: { id: attribute.id, label: name }, value: { id: text, label: text } },
      });
    }
    if (parts.length > 0) next.attributes = Object.fromEntries(merged);
  }
  if (input.state != null && input.state !== ticket.state.category) {
    if (!SETTABLE_STATES.has(input.state)) throw new HttpError(400, 'parameter_invalid', 'Bad state');
    const target = ticket.ticket_type.states
      .filter((s) => s.category === input.state && !s.archived)
      .sort((x, y) => (BigInt(x.id) < BigInt(y.id) ? -1 : 1))[0];
    if (!target) throw new HttpError(400, 'ticket_state_id_invalid', 'Ticket state id is not valid');
    parts.push({
      part_type: 'ticket_state_updated_by_admin',
      author_id: ticket.bot_id,
      ticket_state: target.category,
      previous_ticket_state: ticket.state.category,
    });
    next.state = target;
    next.previousStateId = ticket.state.id;
  }
  if (input.is_shared != null) next.isShared = input.is_shared;
  if (assignment != null) {
    const part = assign(first, next, String(assignment.admin_id), String(assignment.assignee_id));
    if (part) parts.push(part);
  }

  let updatedAt = ticket.updated_at;
  let version = ticket.version;
  let partRows = readParts;
  let total = readTotal;
  if (parts.length > 0 || next.isShared !== ticket.is_shared) {
    const written = (
      await run(pool, WRITE_SQL, [
        ws,
        ticket.id,
        JSON.stringify({
          ticket_state_id: next.state.id,
          state: next.state.category,
          previous_ticket_state_id: next.previousStateId,
          attributes: next.attributes,
          admin_assignee_id: next.admin,
          team_assignee_id: next.team,
          is_shared: next.isShared,
          open: ticket.open,
          snoozed_until: ticket.snoozed_until,
          company_id: ticket.company_id,
        }),
        JSON.stringify(
          parts.map((p) => ({
            part_type: p.part_type,
            author_id: p.author_id,
            ticket_state: p.ticket_state ?? null,
            previous_ticket_state: p.previous_ticket_state ?? null,
            assigned_to_type: p.assigned_to_type ?? null,
            assigned_to_id: p.assigned_to_id ?? null,
            updated_attribute_data: p.updated_attribute_data ?? null,
          })),
        ),
        JSON.stringify({
          request_id: requestId,
          token_id: principal.tokenId,
          admin_id: input.assignment != null ? String(input.assignment.admin_id) : null,
          bot_id: ticket.bot_id,
          changes: auditChanges(ticket, next),
          idempotency_key: null,
          version_before: ticket.version,
          skip_notifications: false,
        }),
        ticket.version,
      ])
    ).rows;
    // Another update committed since the read: nothing was written; read again.
    if (written.length === 0) return null;
    updatedAt = written[0].ticket_updated_at;
    version = written[0].ticket_version;
    const added = written[0].id === null ? [] : written;
    partRows = readParts.concat(added).slice(-PART_WINDOW);
    total = readTotal + added.length;
  }
  return {
    render: () => JSON.stringify(response(ws, ticket, next, updatedAt, partRows, total)),
    etag: `"${ticket.id}.${version}"`,
  };
}

/** The assignment, from what the read found of its two ids. */
function assign(read, next, adminId, assigneeId) {
  const unassign = assigneeId === '0';
  const kind = read.assignee_admin ? 'admin' : read.assignee_team ? 'team' : null;
  if (!read.performer || (!unassign && kind === null)) {
    throw new HttpError(404, 'assignee_not_found', 'Assignee not found');
  }
  const base = { part_type: 'assignment', author_id: adminId };
  if (unassign) {
    if (next.admin === null && next.team === null) return null;
    next.admin = null;
    next.team = null;
    return { ...base, assigned_to_type: 'nobody_admin', assigned_to_id: null };
  }
  if (kind === 'admin') {
    if (next.admin === assigneeId) return null;
    next.admin = assigneeId;
    return { ...base, assigned_to_type: 'admin', assigned_to_id: assigneeId };
  }
  if (next.team === assigneeId) return null;
  next.team = assigneeId;
  return { ...base, assigned_to_type: 'team', assigned_to_id: assigneeId };
}

function listLabel(attribute, value) {
  const items = (attribute.input_options?.list_items ?? []).filter((item) => item.archived !== true);
  const item = items.find((c) => c.id === value) ?? items.find((c) => c.label === value);
  if (!item) throw new HttpError(400, 'parameter_invalid', `Bad list value for ${attribute.name}`);
  return item.label;
}

function auditChanges(ticket, next) {
  const changes = {};
  const note = (field, before, after) => {
    if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) {
      changes[field] = { before: before ?? null, after: after ?? null };
    }
  };
  note('state', ticket.state.category, next.state.category);
  note('ticket_state_id', ticket.state.id, next.state.id);
  note('is_shared', ticket.is_shared, next.isShared);
  note('admin_assignee_id', ticket.admin_assignee_id, next.admin);
  note('team_assignee_id', ticket.team_assignee_id, next.team);
  const names = new Set([...Object.keys(ticket.attributes), ...Object.keys(next.attributes)]);
  for (const name of names) note(`ticket_attributes.${name}`, ticket.attributes[name], next.attributes[name]);
  return changes;
}

/** Unix seconds of a Date or of epoch milliseconds (the ticket JSON's timestamps). */
const seconds = (value) => Math.floor((value instanceof Date ? value.getTime() : value) / 1000);

/** The 2.9 ticket object (src/tickets/ticket.mapper.ts), from the same rows. */
function response(ws, ticket, next, updatedAt, partRows, total) {
  const type = ticket.ticket_type;
  return {
    type: 'ticket',
    id: ticket.id,
    ticket_id: ticket.ticket_number,
    ticket_attributes: next.attributes,
    ticket_state: next.state.category,
    ticket_state_internal_label: next.state.internal_label,
    ticket_state_external_label: next.state.external_label,
    ticket_type: {
      type: 'ticket_type',
      id: type.id,
      name: type.name,
      description: type.description,
      icon: type.icon,
      workspace_id: ws,
      ticket_type_attributes: {
        type: 'ticket_type_attributes.list',
        ticket_type_attributes: type.attributes.map((a) => ({
          type: 'ticket_type_attribute',
          id: a.id,
          workspace_id: ws,
          name: a.name,
          description: a.description,
          data_type: a.data_type,
          input_options: a.input_options ?? {},
          order: a.sort_order,
          required_to_create: a.required_to_create,
          required_to_create_for_contacts: a.required_to_create_for_contacts,
          visible_on_create: a.visible_on_create,
          visible_to_contacts: a.visible_to_contacts,
          default: a.is_default,
          ticket_type_id: Number(type.id),
          archived: a.archived,
          created_at: seconds(a.created_at),
          updated_at: seconds(a.updated_at),
        })),
      },
      archived: type.archived,
      created_at: seconds(type.created_at),
      updated_at: seconds(type.updated_at),
    },
    contacts: {
      type: 'contact.list',
      contacts: ticket.contacts.map((c) => ({ type: 'contact', id: c.id, external_id: c.external_id })),
    },
    admin_assignee_id: next.admin ?? '0',
    team_assignee_id: next.team ?? '0',
    created_at: seconds(ticket.created_at),
    updated_at: seconds(updatedAt),
    ticket_parts: {
      type: 'ticket_part.list',
      ticket_parts: partRows.map((p) => ({
        type: 'ticket_part',
        id: p.id,
        part_type: p.part_type,
        body: p.body,
        ...(p.part_type === 'ticket_state_updated_by_admin'
          ? { previous_ticket_state: p.previous_ticket_state, ticket_state: p.ticket_state }
          : {}),
        created_at: p.created_at,
        updated_at: p.updated_at,
        ...(p.part_type === 'assignment'
          ? { assigned_to: { type: p.assigned_to_type ?? 'nobody_admin', id: p.assigned_to_id } }
          : {}),
        author: { type: p.author_type, id: p.author_id, name: p.author_name, email: p.author_email },
        attachments: p.attachments,
        external_id: p.external_id,
        redacted: p.redacted,
      })),
      total_count: total,
    },
    is_shared: next.isShared,
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res, status, json) {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

// Run as a child process by bench/bench.mjs; imported (not listening) by bench/round-trips.mjs.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const baseline = createBaseline({
    databaseUrl: process.env.DATABASE_URL,
    poolSize: Number(process.env.DB_POOL_SIZE ?? 10),
    statementTimeoutMs: Number(process.env.REQUEST_TIMEOUT_MS ?? 15_000),
  });
  const port = Number(process.env.PORT ?? 3001);
  baseline.server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`baseline (yardstick only) listening on http://127.0.0.1:${port}\n`);
  });
  process.once('SIGTERM', () => {
    baseline.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
