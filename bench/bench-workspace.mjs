/* global process */
/**
 * The benchmark's workspace: one ticket type with 8 attributes and N tickets (10,000 by default) whose
 * parts follow a fixed, seeded distribution (so every run measures the same data):
 *   - most tickets: 0–20 parts (comments, notes, state changes, assignments);
 *   - every 33rd ticket: 500–600 parts (scenario c, "big" tickets), ~3% of the workspace;
 *   - the two hot tickets (scenario b, one for the service and one for the baseline) and the round-trip
 *     probe ticket: exactly 10 parts each, identical state and attributes.
 * Everything goes through the service's own snapshot import (ImportService, upsert), in chunks of 500
 * tickets, each chunk a snapshot with the same workspace, admins and type. `bigParts: 'sql'`
 * (BENCH_SEED_PARTS=sql) instead bulk-inserts the big tickets' ~167,000 parts with one
 * `INSERT … SELECT generate_series`: measured on the machine's PostgreSQL, that is no faster (import of
 * everything ≈ 21 s; import of the rest + SQL ≈ 13 s + 5–8 s): index and foreign-key maintenance dominate,
 * not JSON.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createDataSource } = require('../dist/src/database/data-source.js');
const { ENTITIES } = require('../dist/src/entities.js');
const { ImportService } = require('../dist/src/import/import.service.js');
const { TokensService } = require('../dist/src/auth/tokens.service.js');
const pg = require('pg');

export const WORKSPACE_ID = 'bench_ws';
const TYPE_ID = '71';
export const ADMIN_ID = '1001';
export const OTHER_ADMIN_ID = '1002';
const BOT_ID = '1003';
const TEAM_ID = '2001';
const CONTACTS = 200;
const T0 = 1_717_000_000;

/** Ticket ids 1..tickets; these three are set aside with identical, small shapes. */
export const HOT_SERVICE_TICKET = 1;
export const HOT_BASELINE_TICKET = 2;
export const PROBE_TICKET = 3;
const SPECIAL = new Set([HOT_SERVICE_TICKET, HOT_BASELINE_TICKET, PROBE_TICKET]);

const PRIORITY_ITEMS = [
  { id: 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91', label: 'High', archived: false },
  { id: 'c2a1d8f3-3d4b-4e7f-8c2b-1a7d3e8f9b02', label: 'Medium', archived: false },
  { id: 'd3b2e9a4-4e5c-4f80-9d3c-2b8e4f9a0c13', label: 'Low', archived: false },
];
const COMPONENTS = ['api', 'billing', 'web', 'mobile', 'search', 'auth'];
const STATES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'];

/** Tickets per import snapshot. */
const CHUNK = 500;

const isBig = (id) => id % 33 === 0 && !SPECIAL.has(id);

/** Deterministic PRNG (mulberry32): the same workspace every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function baseSnapshot() {
  const at = { created_at: T0, updated_at: T0 };
  return {
    workspace: { id: WORKSPACE_ID, name: 'Benchmark workspace' },
    admins: [
      { id: ADMIN_ID, name: 'Ann Admin', email: 'ann@bench.example' },
      { id: OTHER_ADMIN_ID, name: 'Bob Builder', email: 'bob@bench.example' },
      { id: BOT_ID, type: 'bot', name: 'Operator' },
    ],
    teams: [{ id: TEAM_ID, name: 'Billing', admin_ids: [ADMIN_ID] }],
    contacts: Array.from({ length: CONTACTS }, (_, i) => ({
      id: contactId(i),
      external_id: `u-${i + 1}`,
      role: 'user',
      email: `c${i + 1}@bench.example`,
    })),
    ticket_types: [
      {
        id: TYPE_ID,
        name: 'Bug',
        description: 'A bug that has been reported.',
        icon: '🐞',
        ...at,
        ticket_type_attributes: [
          attr('208', '_default_title_', 'string', 0, { required_to_create: true, default: true }),
          attr('209', '_default_description_', 'string', 1, { default: true }),
          attr('210', 'Priority', 'list', 2, { input_options: { list_items: PRIORITY_ITEMS } }),
          attr('211', 'Affected users', 'integer', 3),
          attr('212', 'Amount', 'decimal', 4),
          attr('213', 'Reproducible', 'boolean', 5),
          attr('214', 'Seen at', 'datetime', 6),
          attr('215', 'Component', 'string', 7),
        ],
      },
    ],
  };

  function attr(id, name, data_type, order, extra = {}) {
    return { id, name, description: name, data_type, order, ...at, ...extra };
  }
}

function contactId(i) {
  return `c_${String(i + 1).padStart(4, '0')}`;
}

/** Ticket `id` as the snapshot imports it; `parts` are the small tickets' parts (big ones come by SQL). */
function ticket(id, random, nextPartId, bigPartsViaImport) {
  const special = SPECIAL.has(id);
  const state = special ? 'submitted' : STATES[Math.floor(random() * STATES.length)];
  const bigCount = bigPartsViaImport ? 500 + Math.floor(random() * 101) : 0;
  const partCount = special ? 10 : isBig(id) ? bigCount : Math.floor(random() * 21);
  const created = T0 + id;
  const parts = [];
  let previous = 'submitted';
  for (let p = 0; p < partCount; p++) {
    const kind = p % 4;
    const base = { id: String(nextPartId()), created_at: created + p, updated_at: created + p };
    if (kind === 0) {
      parts.push({
        ...base,
        part_type: 'comment',
        body: `<p>Comment ${p} on ${id}</p>`,
        author: { id: ADMIN_ID },
      });
    } else if (kind === 1) {
      parts.push({ ...base, part_type: 'note', body: `<p>Note ${p}</p>`, author: { id: OTHER_ADMIN_ID } });
    } else if (kind === 2) {
      const next = previous === 'in_progress' ? 'waiting_on_customer' : 'in_progress';
      parts.push({
        ...base,
        part_type: 'ticket_state_updated_by_admin',
        ticket_state: next,
        previous_ticket_state: previous,
        author: { type: 'bot', id: BOT_ID },
      });
      previous = next;
    } else {
      parts.push({
        ...base,
        part_type: 'assignment',
        assigned_to: { type: 'admin', id: ADMIN_ID },
        author: { id: OTHER_ADMIN_ID },
      });
    }
  }
  return {
    id: String(id),
    ticket_id: String(id),
    ticket_type_id: TYPE_ID,
    ticket_state: state,
    ticket_attributes: special
      ? {
          _default_title_: 'Hot ticket',
          _default_description_: 'Updated by every connection at once',
          Priority: 'High',
          'Affected users': 1,
          Amount: 1.5,
          Reproducible: true,
          'Seen at': T0,
          Component: 'api',
        }
      : {
          _default_title_: `Ticket ${id}`,
          _default_description_: `Something about ticket ${id} is broken`,
          Priority: PRIORITY_ITEMS[id % 3].label,
          'Affected users': Math.floor(random() * 5000),
          Amount: Math.round(random() * 100_000) / 100,
          Reproducible: random() < 0.5,
          'Seen at': T0 - Math.floor(random() * 86_400 * 30),
          Component: COMPONENTS[id % COMPONENTS.length],
        },
    contact_ids: [contactId(id % CONTACTS)],
    admin_assignee_id: special ? null : id % 3 === 0 ? ADMIN_ID : null,
    team_assignee_id: special ? null : id % 5 === 0 ? TEAM_ID : null,
    is_shared: false,
    created_at: created,
    updated_at: created + partCount,
    ticket_parts: parts,
  };
}

/**
 * Imports the workspace into `url` (migrated, empty) and returns what the scenarios need: a token, the
 * tickets' states as seeded, the big tickets' ids, counts and timings.
 */
export async function seedWorkspace(url, { tickets = 10_000, bigParts = 'import' } = {}) {
  const bigPartsViaImport = bigParts !== 'sql';
  const dataSource = await createDataSource(url, ENTITIES, 2).initialize();
  try {
    const importer = new ImportService(dataSource);
    const random = prng(20_240_601);
    let partId = 0;
    const nextPartId = () => ++partId;
    const states = new Array(tickets + 1);
    const big = [];
    const started = process.hrtime.bigint();
    for (let from = 1; from <= tickets; from += CHUNK) {
      const snapshot = baseSnapshot();
      snapshot.tickets = [];
      for (let id = from; id < Math.min(from + CHUNK, tickets + 1); id++) {
        const t = ticket(id, random, nextPartId, bigPartsViaImport);
        states[id] = t.ticket_state;
        if (isBig(id)) big.push(id);
        snapshot.tickets.push(t);
      }
      await importer.import(snapshot);
    }
    const importMs = msSince(started);

    // bigParts 'sql': the big tickets' 500–600 parts, mostly comments with a state change every 25th part.
    const bulkStarted = process.hrtime.bigint();
    if (!bigPartsViaImport) {
      const sizes = big.map(() => 500 + Math.floor(random() * 101));
      await dataSource.query(
        `INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, body, author_id, ticket_state,
                                 previous_ticket_state, created_at, updated_at)
       SELECT $1, nextval('ticket_parts_id_seq'), t.id,
              CASE WHEN g % 25 = 0 THEN 'ticket_state_updated_by_admin' ELSE 'comment' END,
              CASE WHEN g % 25 = 0 THEN NULL ELSE '<p>Reply ' || g || ' on a long thread</p>' END,
              CASE WHEN g % 25 = 0 THEN $4::bigint ELSE $5::bigint END,
              CASE WHEN g % 25 = 0 THEN 'in_progress' END,
              CASE WHEN g % 25 = 0 THEN 'waiting_on_customer' END,
              to_timestamp(${T0} + t.id + g), to_timestamp(${T0} + t.id + g)
         FROM unnest($2::bigint[], $3::int[]) AS t(id, n), generate_series(1, t.n) AS g
        ORDER BY t.id, g`,
        [WORKSPACE_ID, big, sizes, BOT_ID, ADMIN_ID],
      );
    }
    const bulkMs = msSince(bulkStarted);
    const [{ count: parts }] = await dataSource.query(
      'SELECT count(*)::int AS count FROM ticket_parts WHERE workspace_id = $1',
      [WORKSPACE_ID],
    );
    await dataSource.query('ANALYZE');
    const token = await new TokensService(dataSource).create(WORKSPACE_ID, 'bench');
    return {
      token,
      states,
      big,
      tickets,
      parts,
      bigParts: bigPartsViaImport ? 'import' : 'sql',
      importMs,
      bulkMs,
    };
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Grows the workspace to `total` tickets with one `INSERT … SELECT generate_series` (plus one for their
 * contact links), then VACUUM, ANALYZE and CHECKPOINT. The new tickets have no parts (so the parts table
 * keeps its size: what grows is the tickets table, its primary key and ticket_contacts; 1,000,000 tickets with
 * parts would take many minutes to insert). The rows reference only rows that exist, so
 * the foreign-key triggers are skipped (`session_replication_role = replica`, superuser only; without it the
 * insert takes 2–3× longer). Returns the time taken.
 */
export async function growWorkspace(url, { from, total }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    await client.query('BEGIN');
    let skippedForeignKeyChecks = true;
    try {
      await client.query('SAVEPOINT replica');
      await client.query('SET LOCAL session_replication_role = replica');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT replica');
      skippedForeignKeyChecks = false;
    }
    const inserted = await client.query(
      // Each ticket's state is its category's first state (BEHAVIOUR.md §6: a ticket holds a state id).
      `INSERT INTO tickets (workspace_id, id, ticket_number, ticket_type_id, state, ticket_state_id, attributes,
                            admin_assignee_id, team_assignee_id, is_shared, created_at, updated_at)
       SELECT $1, g, g::text, $4::bigint, st.category, st.id,
              jsonb_build_object('_default_title_', 'Ticket ' || g,
                                 '_default_description_', 'Something about ticket ' || g || ' is broken',
                                 'Priority', (ARRAY['High','Medium','Low'])[1 + g % 3],
                                 'Affected users', g % 5000, 'Amount', (g % 100000) / 100.0,
                                 'Reproducible', g % 2 = 0, 'Seen at', ${T0} - g % 2592000,
                                 'Component', (ARRAY['api','billing','web','mobile','search','auth'])[1 + g % 6]),
              CASE WHEN g % 3 = 0 THEN $5::bigint END, CASE WHEN g % 5 = 0 THEN $6::bigint END, false,
              to_timestamp(${T0} + g), to_timestamp(${T0} + g)
         FROM generate_series($2::bigint, $3::bigint) AS g
         JOIN (SELECT category, min(id) AS id FROM ticket_states
                WHERE workspace_id = $1 AND NOT archived GROUP BY category) st
           ON st.category = (ARRAY['submitted','in_progress','waiting_on_customer','resolved'])[1 + g % 4]`,
      [WORKSPACE_ID, from, total, TYPE_ID, ADMIN_ID, TEAM_ID],
    );
    if (inserted.rowCount !== total - from + 1) {
      throw new Error(
        `grew by ${inserted.rowCount} tickets, not ${total - from + 1}: a state category has no state`,
      );
    }
    await client.query(
      `INSERT INTO ticket_contacts (workspace_id, ticket_id, contact_id, position)
       SELECT $1, g, 'c_' || lpad((1 + g % ${CONTACTS})::text, 4, '0'), 0
         FROM generate_series($2::bigint, $3::bigint) AS g`,
      [WORKSPACE_ID, from, total],
    );
    await client.query(
      `SELECT setval('tickets_id_seq', greatest($1::bigint, (SELECT last_value FROM tickets_id_seq)))`,
      [total],
    );
    await client.query('COMMIT');
    const insertMs = msSince(started);
    // Settle the new rows before anything is measured: VACUUM (so autovacuum does not start on the million
    // new rows during the next run, and the visibility map and hint bits are set), ANALYZE, and a
    // CHECKPOINT (so the insert's WAL is not flushed during the next run either).
    const settleStarted = process.hrtime.bigint();
    await client.query('VACUUM tickets, ticket_contacts');
    await client.query('ANALYZE');
    await client.query('CHECKPOINT').catch(() => undefined); // superuser or pg_checkpoint only
    const settleMs = msSince(settleStarted);
    const { rows } = await client.query(
      'SELECT count(*)::int AS count FROM tickets WHERE workspace_id = $1',
      [WORKSPACE_ID],
    );
    return { tickets: rows[0].count, insertMs, settleMs, skippedForeignKeyChecks };
  } finally {
    await client.end();
  }
}

function msSince(started) {
  return Number(process.hrtime.bigint() - started) / 1e6;
}
