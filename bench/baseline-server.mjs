/* global process, Buffer */
/**
 * YARDSTICK ONLY — never served. Not part of the service, never deployed, never imported by src/.
 *
 * The benchmark's baseline (issue #5): what `PUT /tickets/:id` costs with no framework at all, so that the
 * service's throughput can be reported as a fraction of it. A bare `node:http` handler and a `pg` Pool of the
 * same size and settings as the service's, issuing the SAME SQL transaction as the service, statement for
 * statement and parameter for parameter, as the same named prepared statements (src/tickets/tickets.repository.ts,
 * src/auth/tokens.service.ts, tickets.service.ts):
 *
 *   auth:  the access-token lookup by SHA-256 digest (src/auth/tokens.service.ts), on its own pool checkout,
 *          once per token per AUTH_CACHE_TTL_MS (5 s), as the service's token cache does
 *   START TRANSACTION
 *   the lock-and-load query (`SELECT … FOR UPDATE OF t`, type, attributes and contacts as JSON)
 *   the assignment check, when the body has an assignment
 *   the update + parts + audit + newest-500-parts statement, when something changes;
 *   otherwise the newest-500-parts read
 *   COMMIT
 *
 * then JSON.stringify of a response of the same shape (built from the same rows after COMMIT, as the service
 * does for a request without an Idempotency-Key). bench/round-trips.mjs checks that both issue the same statements and that their
 * no-op responses are byte-identical. It validates only what it needs to pick the statements: no DTOs,
 * no Intercom-Version rules, no rate limit, no metrics, no logging, no helmet headers.
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
const RETRYABLE = new Set(['40001', '40P01']);
const LABELS = {
  submitted: ['Submitted', 'Submitted'],
  in_progress: ['In progress', 'In progress'],
  waiting_on_customer: ['Waiting on customer', 'Waiting on you'],
  resolved: ['Resolved', 'Resolved'],
};

// --- The service's SQL, verbatim (tickets.repository.ts, tokens.service.ts), as the same named (prepared)
// statements: node-postgres parses each once per connection, then only binds and executes it. ---

/** `query(named(...), values)`: node-postgres' statement config with the values added per call. */
const named = (name, text) => ({ name, text });
const run = (queryable, statement, values) => queryable.query({ ...statement, values });

const AUTH_SQL = named(
  'auth.find_token',
  `SELECT t.workspace_id, t.id::text, t.token_hash, w.default_intercom_version, w.require_if_match
         FROM access_tokens t JOIN workspaces w ON w.workspace_id = t.workspace_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
);

const LOCK_SQL = named(
  'tickets.lock_for_update',
  `SELECT t.id, t.version::text, t.ticket_number, t.state, t.attributes, t.admin_assignee_id, t.team_assignee_id, t.is_shared,
              t.created_at, t.updated_at,
              (SELECT json_build_object(
                        'id', tt.id::text, 'name', tt.name, 'description', tt.description, 'icon', tt.icon,
                        'archived', tt.archived, 'created_at', tt.created_at, 'updated_at', tt.updated_at,
                        'attributes', (SELECT coalesce(json_agg(json_build_object(
                            'id', a.id::text, 'name', a.name, 'description', a.description, 'data_type', a.data_type,
                            'input_options', a.input_options, 'sort_order', a.sort_order,
                            'required_to_create', a.required_to_create,
                            'required_to_create_for_contacts', a.required_to_create_for_contacts,
                            'visible_on_create', a.visible_on_create, 'visible_to_contacts', a.visible_to_contacts,
                            'is_default', a.is_default, 'archived', a.archived,
                            'created_at', a.created_at, 'updated_at', a.updated_at) ORDER BY a.sort_order, a.id), '[]')
                          FROM ticket_type_attributes a
                          WHERE a.workspace_id = tt.workspace_id AND a.ticket_type_id = tt.id))
                 FROM ticket_types tt WHERE tt.workspace_id = t.workspace_id AND tt.id = t.ticket_type_id) AS ticket_type,
              (SELECT coalesce(json_agg(json_build_object('id', c.id, 'external_id', c.external_id)
                                        ORDER BY tc.position, c.id), '[]')
                 FROM ticket_contacts tc JOIN contacts c ON c.workspace_id = tc.workspace_id AND c.id = tc.contact_id
                 WHERE tc.workspace_id = t.workspace_id AND tc.ticket_id = t.id) AS contacts,
              (SELECT b.id::text FROM admins b WHERE b.workspace_id = t.workspace_id AND b.type = 'bot') AS bot_id
         FROM tickets t
        WHERE t.workspace_id = $1 AND t.id = $2
          FOR UPDATE OF t`,
);

const ASSIGNMENT_SQL = named(
  'tickets.assignment_targets',
  `SELECT EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $2) AS performer,
              EXISTS (SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $3 AND type = 'admin') AS assignee_admin,
              EXISTS (SELECT 1 FROM teams WHERE workspace_id = $1 AND id = $3) AS assignee_team`,
);

const APPLY_SQL = named(
  'tickets.apply_update',
  `WITH updated AS (
         UPDATE tickets
            SET (state, attributes, admin_assignee_id, team_assignee_id, is_shared) = (
                  SELECT * FROM jsonb_to_record($3::jsonb) AS ticket(state text, attributes jsonb,
                                admin_assignee_id bigint, team_assignee_id bigint, is_shared boolean)),
                updated_at = greatest(clock_timestamp(), updated_at), version = version + 1
          WHERE workspace_id = $1 AND id = $2
         RETURNING updated_at, version
       ), inserted AS (
         INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, author_id, ticket_state,
                                   previous_ticket_state, assigned_to_type, assigned_to_id, created_at, updated_at)
         SELECT $1, nextval('ticket_parts_id_seq'), $2, p->>'part_type', (p->>'author_id')::bigint,
                p->>'ticket_state', p->>'previous_ticket_state', p->>'assigned_to_type', p->>'assigned_to_id',
                (SELECT updated_at FROM updated), (SELECT updated_at FROM updated)
           FROM (SELECT p FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(p, ord) ORDER BY ord) parts
         RETURNING workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, created_at, updated_at, author_id
       ), audited AS (
         INSERT INTO audit_log (workspace_id, ticket_id, request_id, token_id, admin_id, bot_id, changes,
                                idempotency_key, version_before, version_after, created_at)
         SELECT $1, $2, audit.request_id, audit.token_id, audit.admin_id, audit.bot_id, audit.changes,
                audit.idempotency_key, audit.version_before, updated.version, updated.updated_at
           FROM updated, jsonb_to_record($5::jsonb) AS audit(request_id text, token_id bigint, admin_id bigint,
                                     bot_id bigint, changes jsonb, idempotency_key text, version_before bigint)
         RETURNING id
       ), recent AS (
         SELECT * FROM (
           SELECT * FROM inserted
           UNION ALL
           (SELECT workspace_id, id, part_type, body, ticket_state, previous_ticket_state, assigned_to_type,
                   assigned_to_id, attachments, external_id, redacted, created_at, updated_at, author_id
              FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2
             ORDER BY id DESC LIMIT 500)
         ) merged
         ORDER BY id DESC LIMIT 500
       )
       SELECT u.updated_at AS ticket_updated_at, u.version::text AS ticket_version,
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2)
                + (SELECT count(*) FROM inserted) AS total_count,
              p.id::text, p.part_type, p.body, p.ticket_state, p.previous_ticket_state, p.assigned_to_type,
              p.assigned_to_id, p.attachments, p.external_id, p.redacted,
              floor(extract(epoch FROM p.created_at))::float8 AS created_at,
              floor(extract(epoch FROM p.updated_at))::float8 AS updated_at,
              a.id::text AS author_id, a.type AS author_type, a.name AS author_name, a.email AS author_email
         FROM updated u
         LEFT JOIN (recent p JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id) ON true
        ORDER BY p.id`,
);

const PARTS_SQL = named(
  'tickets.recent_parts',
  `SELECT p.id::text, p.part_type, p.body, p.ticket_state, p.previous_ticket_state, p.assigned_to_type,
              p.assigned_to_id, p.attachments, p.external_id, p.redacted,
              floor(extract(epoch FROM p.created_at))::float8 AS created_at,
              floor(extract(epoch FROM p.updated_at))::float8 AS updated_at,
              a.id::text AS author_id, a.type AS author_type, a.name AS author_name, a.email AS author_email,
              (SELECT count(*) FROM ticket_parts c WHERE c.workspace_id = $1 AND c.ticket_id = $2) AS total_count
         FROM (SELECT * FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2
                ORDER BY id DESC LIMIT 500) p
         JOIN admins a ON a.workspace_id = p.workspace_id AND a.id = p.author_id
        ORDER BY p.id`,
);

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

  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let released = false;
    try {
      await client.query('START TRANSACTION');
      const outcome = await updateOnce(client, principal, requestId, decodeURIComponent(match[1]), input);
      await client.query('COMMIT');
      client.release();
      released = true;
      // Serialized after COMMIT, with the connection back in the pool, as the service does without a key.
      res.setHeader('ETag', outcome.etag);
      return send(res, 200, outcome.render());
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (attempt >= 3 || !RETRYABLE.has(error.code)) throw error;
    } finally {
      if (!released) client.release();
    }
  }
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

async function updateOnce(client, principal, requestId, id, input) {
  const ws = principal.workspaceId;
  if (!STORED_ID.test(id)) throw new HttpError(404, 'ticket_not_found', 'Ticket not found');
  const ticket = (await run(client, LOCK_SQL, [ws, id])).rows[0];
  if (!ticket) throw new HttpError(404, 'ticket_not_found', 'Ticket not found');

  // The plan (tickets.service.ts `plan`), minus validation beyond what picks the statements.
  const parts = [];
  const next = {
    state: ticket.state,
    attributes: ticket.attributes,
    admin: ticket.admin_assignee_id,
    team: ticket.team_assignee_id,
    isShared: ticket.is_shared,
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
      parts.push({ part_type: 'ticket_attribute_updated_by_admin', author_id: ticket.bot_id });
    }
    if (parts.length > 0) next.attributes = Object.fromEntries(merged);
  }
  if (input.state != null && input.state !== ticket.state) {
    if (!SETTABLE_STATES.has(input.state)) throw new HttpError(400, 'parameter_invalid', 'Bad state');
    parts.push({
      part_type: 'ticket_state_updated_by_admin',
      author_id: ticket.bot_id,
      ticket_state: input.state,
      previous_ticket_state: ticket.state,
    });
    next.state = input.state;
  }
  if (input.is_shared != null) next.isShared = input.is_shared;
  if (input.assignment != null) {
    const part = await assign(
      client,
      ws,
      next,
      String(input.assignment.admin_id),
      String(input.assignment.assignee_id),
    );
    if (part) parts.push(part);
  }

  let updatedAt = ticket.updated_at;
  let version = ticket.version;
  let rows;
  let total;
  if (parts.length > 0 || next.isShared !== ticket.is_shared) {
    const applied = (
      await run(client, APPLY_SQL, [
        ws,
        ticket.id,
        JSON.stringify({
          state: next.state,
          attributes: next.attributes,
          admin_assignee_id: next.admin,
          team_assignee_id: next.team,
          is_shared: next.isShared,
        }),
        JSON.stringify(
          parts.map((p) => ({
            part_type: p.part_type,
            author_id: p.author_id,
            ticket_state: p.ticket_state ?? null,
            previous_ticket_state: p.previous_ticket_state ?? null,
            assigned_to_type: p.assigned_to_type ?? null,
            assigned_to_id: p.assigned_to_id ?? null,
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
        }),
      ])
    ).rows;
    // The write and the read are one statement (one row even without parts, its part columns null).
    updatedAt = applied[0].ticket_updated_at;
    version = applied[0].ticket_version;
    total = Number(applied[0].total_count);
    rows = applied[0].id === null ? [] : applied;
  } else {
    rows = (await run(client, PARTS_SQL, [ws, ticket.id])).rows;
    total = rows.length === 0 ? 0 : Number(rows[0].total_count);
  }
  return {
    render: () => JSON.stringify(response(ws, ticket, next, updatedAt, rows, total)),
    etag: `"${ticket.id}.${version}"`,
  };
}

async function assign(client, ws, next, adminId, assigneeId) {
  const unassign = assigneeId === '0';
  const performer = STORED_ID.test(adminId) ? adminId : null;
  const target = !unassign && STORED_ID.test(assigneeId) ? assigneeId : null;
  if (performer === null) throw new HttpError(404, 'assignee_not_found', 'Assignee not found');
  const row = (await run(client, ASSIGNMENT_SQL, [ws, performer, target])).rows[0];
  const kind = row.assignee_admin ? 'admin' : row.assignee_team ? 'team' : null;
  if (!row.performer || (!unassign && kind === null)) {
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
  note('state', ticket.state, next.state);
  note('is_shared', ticket.is_shared, next.isShared);
  note('admin_assignee_id', ticket.admin_assignee_id, next.admin);
  note('team_assignee_id', ticket.team_assignee_id, next.team);
  const names = new Set([...Object.keys(ticket.attributes), ...Object.keys(next.attributes)]);
  for (const name of names) note(`ticket_attributes.${name}`, ticket.attributes[name], next.attributes[name]);
  return changes;
}

const seconds = (value) => Math.floor(new Date(value).getTime() / 1000);

/** The 2.9 ticket object (src/tickets/ticket.mapper.ts), from the same rows. */
function response(ws, ticket, next, updatedAt, partRows, total) {
  const type = ticket.ticket_type;
  const [internal, external] = LABELS[next.state];
  return {
    type: 'ticket',
    id: ticket.id,
    ticket_id: ticket.ticket_number,
    ticket_attributes: next.attributes,
    ticket_state: next.state,
    ticket_state_internal_label: internal,
    ticket_state_external_label: external,
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
