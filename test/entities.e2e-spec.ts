import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { testDatabaseUrl } from './support/app';

/**
 * Issue #10 point 1: the entities are the schema's truth, checked. The migrations are applied to an empty
 * database and TypeORM compares every entity with what they built: the diff must be empty, so an entity and
 * its migration change together or this fails, naming the statements that would reconcile them.
 */
const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

describe('entities match the migrations', () => {
  const database = `entities_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;
  let dataSource: DataSource;

  beforeAll(async () => {
    admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${database}`;
    dataSource = await new DataSource(dataSourceOptions(url.toString(), ENTITIES, 2)).initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it('the schema diff after all migrations has no up-queries', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBe(dataSource.migrations.length);

    const diff = await dataSource.driver.createSchemaBuilder().log();

    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  // TypeORM's diff compares check constraints by name only, so their closed lists are compared here.
  it("every check constraint allows exactly the values its entity's list allows", async () => {
    const literals = (expression: string): string[] =>
      [...expression.matchAll(/'([^']*)'/g)].map((match) => match[1]).sort();
    const stored = await dataSource.query<{ table: string; name: string; definition: string }[]>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`,
    );
    const declared = dataSource.entityMetadatas.flatMap((m) =>
      m.checks.map((check) => ({ table: m.tableName, name: check.name, values: literals(check.expression) })),
    );

    expect(declared.length).toBeGreaterThan(0);
    expect(
      stored.map((c) => ({ table: c.table, name: c.name, values: literals(c.definition) })).sort(byName),
    ).toEqual(declared.sort(byName));
  });

  it('every entity maps a table the migrations create', async () => {
    const tables = new Set(
      (
        await dataSource.query<{ table_name: string }[]>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        )
      ).map((r) => r.table_name),
    );
    const mapped = dataSource.entityMetadatas.map((m) => m.tableName);
    expect(mapped.filter((name) => !tables.has(name))).toEqual([]);
  });
});
