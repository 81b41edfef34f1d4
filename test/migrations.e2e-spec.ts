import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InitialSchema1764000000000 } from '../migrations/1764000000000-initial-schema';
import { Reliability1764100000000 } from '../migrations/1764100000000-reliability';
import { TicketStates1764200000000 } from '../migrations/1764200000000-ticket-states';
import { MIGRATIONS as ALL_MIGRATIONS } from '../migrations';
import { createApp } from '../src/app.factory';
import { hashToken } from '../src/auth/token-hash';
import { loadConfig } from '../src/config/config';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { testDatabaseUrl } from './support/app';

/*
 * Issue #11: the ticket-states migration on a database holding 2.9-era data. Every ticket keeps its state and
 * version and reads as before at 2.9; down() restores the 2.9 schema with the data; up() again works.
 */

const CATEGORIES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] as const;
const LABELS = {
  submitted: ['Submitted', 'Submitted'],
  in_progress: ['In progress', 'In progress'],
  waiting_on_customer: ['Waiting on customer', 'Waiting on you'],
  resolved: ['Resolved', 'Resolved'],
};
const WORKSPACES = ['mig_a', 'mig_b'];
const TOKEN = 'tok_migration_test_token_of_workspace_mig_a';
/** Up to and including the migration under test (later ones build on it and are not its business). */
const MIGRATIONS = [InitialSchema1764000000000, Reliability1764100000000, TicketStates1764200000000];

/** 2.9-era data, written as the 2.9 schema's SQL: two workspaces, a ticket in each category, parts, an audit row. */
async function seed29(db: Client): Promise<void> {
  for (const ws of WORKSPACES) {
    await db.query(`INSERT INTO workspaces (workspace_id, name) VALUES ($1, $1)`, [ws]);
    await db.query(
      `INSERT INTO admins (workspace_id, id, type, name, email) VALUES
         ($1, 10, 'admin', 'Ann', 'ann@x.test'), ($1, 11, 'bot', 'Operator', 'operator+' || $1 || '@intercom.io')`,
      [ws],
    );
    await db.query(
      `INSERT INTO ticket_types (workspace_id, id, name) VALUES ($1, 71, 'Bug'), ($1, 72, 'Other')`,
      [ws],
    );
    await db.query(
      `INSERT INTO ticket_type_attributes (workspace_id, id, ticket_type_id, name, data_type, required_to_create)
       VALUES ($1, 208, 71, '_default_title_', 'string', true)`,
      [ws],
    );
    for (const [index, state] of CATEGORIES.entries()) {
      await db.query(
        `INSERT INTO tickets (workspace_id, id, ticket_number, ticket_type_id, state, attributes, version)
         VALUES ($1, $2::bigint, $2::text, 71, $3, '{"_default_title_": "t"}', $4)`,
        [ws, 400 + index, state, 5 + index],
      );
      await db.query(
        `INSERT INTO ticket_parts (workspace_id, id, ticket_id, part_type, author_id, ticket_state, previous_ticket_state)
         VALUES ($1, $2, $3, 'ticket_state_updated_by_admin', 11, $4, 'submitted')`,
        [ws, 100 + index, 400 + index, state],
      );
    }
    await db.query(
      `INSERT INTO audit_log (workspace_id, ticket_id, request_id, token_id, bot_id, changes, version_before, version_after)
       VALUES ($1, 400, 'r', 1, 11, '{}', 4, 5)`,
      [ws],
    );
  }
  await db.query(`INSERT INTO access_tokens (workspace_id, id, token_hash) VALUES ('mig_a', 1, $1)`, [
    hashToken(TOKEN),
  ]);
}

type TicketRow = { workspace_id: string; id: string; state: string; version: string };
const tickets = (db: Client) =>
  db
    .query<TicketRow>(
      'SELECT workspace_id, id::text, state, version::text FROM tickets ORDER BY workspace_id, id',
    )
    .then((r) => r.rows);

describe('migration 1764200000000 (ticket states) on 2.9-era data', () => {
  const database = `mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;
  let db: Client;
  let url: string;
  let before: TicketRow[];

  const withDataSource = async <T>(migrations: unknown[], fn: (ds: DataSource) => Promise<T>): Promise<T> => {
    const ds = await new DataSource({
      ...dataSourceOptions(url, ENTITIES, 2),
      migrations: migrations as never,
    }).initialize();
    try {
      return await fn(ds);
    } finally {
      await ds.destroy();
    }
  };

  beforeAll(async () => {
    admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const parsed = new URL(testDatabaseUrl());
    parsed.pathname = `/${database}`;
    url = parsed.toString();
    await withDataSource([InitialSchema1764000000000, Reliability1764100000000], (ds) =>
      ds.runMigrations({ transaction: 'each' }),
    );
    db = new Client({ connectionString: url });
    await db.connect();
    await seed29(db);
    before = await tickets(db);
  });

  afterAll(async () => {
    await db?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('up(): every workspace gets the four default states, every type all four, every ticket the one of its state', async () => {
    const applied = await withDataSource(MIGRATIONS, (ds) => ds.runMigrations({ transaction: 'each' }));
    expect(applied.map((m) => m.name)).toEqual(['TicketStates1764200000000']);

    const states = await db.query<{
      workspace_id: string;
      category: string;
      internal_label: string;
      external_label: string;
      archived: boolean;
    }>(
      `SELECT workspace_id, category, internal_label, external_label, archived FROM ticket_states ORDER BY workspace_id, id`,
    );
    expect(states.rows).toEqual(
      WORKSPACES.flatMap((ws) =>
        CATEGORIES.map((category) => ({
          workspace_id: ws,
          category,
          internal_label: LABELS[category][0],
          external_label: LABELS[category][1],
          archived: false,
        })),
      ),
    );
    const associations = await db.query<{ n: string }>('SELECT count(*) AS n FROM ticket_type_states');
    expect(Number(associations.rows[0].n)).toBe(WORKSPACES.length * 2 * 4);

    // State and version unchanged; the state id is the workspace's state of that category.
    expect(await tickets(db)).toEqual(before);
    const mismatched = await db.query(
      `SELECT t.id FROM tickets t JOIN ticket_states s ON s.workspace_id = t.workspace_id AND s.id = t.ticket_state_id
        WHERE s.category <> t.state`,
    );
    expect(mismatched.rows).toEqual([]);
    const flags = await db.query(
      `SELECT DISTINCT open, snoozed_until, company_id, previous_ticket_state_id FROM tickets`,
    );
    expect(flags.rows).toEqual([
      { open: true, snoozed_until: null, company_id: null, previous_ticket_state_id: null },
    ]);
  });

  it('the migrated tickets read at 2.9 as before, at 2.14 with their state objects, and take updates', async () => {
    // The service needs every later migration too.
    await withDataSource(ALL_MIGRATIONS, (ds) => ds.runMigrations({ transaction: 'each' }));
    const config = loadConfig({ LOG_LEVEL: 'fatal', LOG_FORMAT: 'json', AUTH_CACHE_TTL_MS: '0' });
    const app: INestApplication = await createApp({ ...config, databaseUrl: url });
    await app.init();
    try {
      const http = app.getHttpServer() as Server;
      const get = (id: string, version: string) =>
        request(http)
          .get(`/tickets/${id}`)
          .set('Authorization', `Bearer ${TOKEN}`)
          .set('Intercom-Version', version);
      for (const [index, category] of CATEGORIES.entries()) {
        const id = String(400 + index);
        const old = await get(id, '2.9').expect(200);
        expect(old.body).toMatchObject({
          id,
          ticket_state: category,
          ticket_state_internal_label: LABELS[category][0],
          ticket_state_external_label: LABELS[category][1],
          ticket_parts: { total_count: 1 },
        });
        expect(old.headers.etag).toBe(`"${id}.${5 + index}"`);
        const current = await get(id, '2.14').expect(200);
        expect(current.body.ticket_state).toMatchObject({ type: 'ticket_state', category });
        expect(current.body).toMatchObject({ open: true, snoozed_until: null, category: 'Customer' });
      }
      const updated = await request(http)
        .put('/tickets/400')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Intercom-Version', '2.9')
        .send({ state: 'resolved' })
        .expect(200);
      expect(updated.body.ticket_state).toBe('resolved');
      const row = await db.query(
        `SELECT state, version::text FROM tickets WHERE workspace_id = 'mig_a' AND id = 400`,
      );
      expect(row.rows[0]).toEqual({ state: 'resolved', version: '6' });
      await request(http)
        .put('/tickets/400')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Intercom-Version', '2.9')
        .send({ state: 'submitted' })
        .expect(400);
      await request(http)
        .put('/tickets/400')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Intercom-Version', '2.14')
        .send({ state: 'in_progress' })
        .expect(200);
    } finally {
      await app.close();
    }
  });

  it('down() restores the 2.9 schema with every ticket in its state; up() again works', async () => {
    const now = await tickets(db);
    await withDataSource(ALL_MIGRATIONS, async (ds) => {
      // The later migrations first, then this one.
      for (let undo = ALL_MIGRATIONS.length - MIGRATIONS.length; undo >= 0; undo--) {
        await ds.undoLastMigration({ transaction: 'each' });
      }
    });
    const gone = await db.query(
      `SELECT to_regclass('ticket_states') AS states, to_regclass('companies') AS companies,
              (SELECT count(*) FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'ticket_state_id') AS column`,
    );
    expect(gone.rows[0]).toEqual({ states: null, companies: null, column: '0' });
    expect(await tickets(db)).toEqual(now);

    const applied = await withDataSource(MIGRATIONS, (ds) => ds.runMigrations({ transaction: 'each' }));
    expect(applied.map((m) => m.name)).toEqual(['TicketStates1764200000000']);
    expect(await tickets(db)).toEqual(now);
    const states = await db.query<{ n: string }>('SELECT count(*) AS n FROM ticket_states');
    expect(Number(states.rows[0].n)).toBe(WORKSPACES.length * 4);
  });
});
