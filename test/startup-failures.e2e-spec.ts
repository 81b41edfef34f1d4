import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';
import { testDatabaseUrl } from './support/app';
import { freePort, runNode, spawnServer, type NodeResult } from './support/server-process';

/**
 * README "Configuration" → "When it cannot start": the compiled server, CLI and `migration:run` as real
 * processes, each failure one line on stderr naming the setting and what to do, exit code 1, no stack trace,
 * and never the password of the DATABASE_URL (every URL here carries one).
 */
const PASSWORD = `pw-${randomUUID().slice(0, 8)}`;
const ROLE = `probe_${randomUUID().slice(0, 8)}`;

type Result = NodeResult;

async function server(env: Record<string, string>): Promise<Result> {
  const child = spawnServer({ LOG_FORMAT: 'json', DEMO_DATA: 'false', ...env });
  try {
    const exit = await child.exit(30_000);
    return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    child.kill();
  }
}

const cli = (env: Record<string, string>) =>
  runNode('cli/main.js', ['token', 'create', '--workspace', 'x'], { env });
const migrate = (env: Record<string, string>) => runNode('database/migrate.js', [], { env });

/** The test database's URL with another user, password, port or database. */
function urlWith(change: { user?: string; password?: string; port?: number; database?: string }): string {
  const url = new URL(testDatabaseUrl());
  if (change.user) url.username = change.user;
  if (change.password) url.password = change.password;
  if (change.port) url.port = String(change.port);
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}

function where(url: string): string {
  const parsed = new URL(url);
  return `host ${parsed.hostname}, port ${parsed.port}, database ${parsed.pathname.slice(1)}`;
}

/** Exactly `line`, exit code 1, nothing that looks like a stack trace, and no password anywhere. */
function expectOneLine(result: Result, line: string | RegExp): void {
  expect(result.code).toBe(1);
  if (typeof line === 'string') expect(result.stderr).toBe(`${line}\n`);
  else expect(result.stderr).toMatch(line);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at |undefined/);
  expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
}

async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const port = await freePort();
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => holder.close(() => resolve())) };
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('startup failures: one line that says what to do', () => {
  // A role of its own, so every URL carries a password the output can be searched for. It may read the
  // migrations table (the check before listening does) and nothing else.
  beforeAll(() =>
    admin(
      `CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'; GRANT USAGE ON SCHEMA public TO ${ROLE}; GRANT SELECT ON migrations TO ${ROLE}`,
    ),
  );
  afterAll(() => admin(`DROP OWNED BY ${ROLE}; DROP ROLE IF EXISTS ${ROLE}`));

  it('embedded port taken: server and CLI name EMBEDDED_PG_PORT and the port, and create nothing', async () => {
    const held = await holdPort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tickets-port-'));
    chmodSync(dataDir, 0o755);
    try {
      const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(held.port), PORT: String(await freePort()) };
      const line =
        `EMBEDDED_PG_PORT ${held.port}: another program listens on 127.0.0.1:${held.port}; ` +
        'stop it or set EMBEDDED_PG_PORT to a free port';
      expectOneLine(await server(env), line);
      expectOneLine(await cli(env), line);
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      await held.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // As root, the embedded PostgreSQL runs as user postgres; where it can reach nothing, one line says so.
  (process.getuid?.() === 0 ? it : it.skip)(
    'as root, DATA_DIR and TMPDIR both private: names TMPDIR and what to do, and starts nothing',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'tickets-private-')); // 0700, like /root
      try {
        const env = {
          DATA_DIR: join(home, 'data'),
          TMPDIR: home,
          EMBEDDED_PG_PORT: String(await freePort()),
          PORT: String(await freePort()),
        };
        const line =
          `${home}: user postgres (which runs the embedded PostgreSQL for root) cannot enter the temporary ` +
          'directory; set TMPDIR to one others can enter (such as /tmp), or run as another user';
        expectOneLine(await server(env), line);
        expectOneLine(await cli(env), line);
        expect(existsSync(join(home, 'data', 'pg'))).toBe(false);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  it('database unreachable: server, CLI and migration:run name DATABASE_URL host, port and database', async () => {
    const url = urlWith({ user: ROLE, password: PASSWORD, port: await freePort() });
    const line = `cannot connect to DATABASE_URL (${where(url)}): connection refused; is PostgreSQL running there?`;
    const env = { DATABASE_URL: url, PORT: String(await freePort()) };
    expectOneLine(await server(env), line);
    expectOneLine(await cli(env), line);
    expectOneLine(await migrate(env), line);
  });

  it('wrong user: names DATABASE_URL host, port and database, and the user', async () => {
    const url = urlWith({ user: `nobody_${ROLE}`, password: PASSWORD });
    // "password authentication failed" where the cluster asks for passwords, "not allowed in" under trust.
    const line = new RegExp(
      `^cannot connect to DATABASE_URL \\(${where(url)}\\): (password authentication failed for ` +
        `user "nobody_${ROLE}"; fix DATABASE_URL|user "nobody_${ROLE}" is not allowed in .*)\\n$`,
    );
    expectOneLine(await server({ DATABASE_URL: url, PORT: String(await freePort()) }), line);
    expectOneLine(await cli({ DATABASE_URL: url }), line);
  });

  it('missing database: names it, says to create it', async () => {
    const url = urlWith({ user: ROLE, password: PASSWORD, database: `missing_${ROLE}` });
    const line = `cannot connect to DATABASE_URL (${where(url)}): the database does not exist; create it or fix DATABASE_URL`;
    expectOneLine(await server({ DATABASE_URL: url, PORT: String(await freePort()) }), line);
    expectOneLine(await cli({ DATABASE_URL: url }), line);
  });

  it('HTTP port taken: names PORT and the port', async () => {
    const held = await holdPort();
    try {
      const result = await server({
        DATABASE_URL: urlWith({ user: ROLE, password: PASSWORD }),
        PORT: String(held.port),
      });
      expectOneLine(
        result,
        new RegExp(
          `^PORT ${held.port}: another program listens on \\S+:${held.port}; stop it or set PORT to a free port\\n$`,
        ),
      );
    } finally {
      await held.close();
    }
  });

  it('DATABASE_URL with pending migrations: refuses to start, naming npm run migration:run, writing nothing', async () => {
    const database = `unmigrated_${ROLE}`;
    await admin(`CREATE DATABASE ${database}`);
    try {
      const url = urlWith({ user: ROLE, password: PASSWORD, database });
      const line = new RegExp(
        `^DATABASE_URL \\(${where(url)}\\) has ${MIGRATIONS.length} pending migration\\(s\\) ` +
          `\\(${MIGRATIONS.map((migration) => migration.name).join(', ')}\\): ` +
          'run `npm run migration:run` first\\n$',
      );
      const port = await freePort();
      const result = await server({ DATABASE_URL: url, PORT: String(port) });
      expectOneLine(result, line);
      expect(result.stdout).not.toContain('listening');
      expectOneLine(await cli({ DATABASE_URL: url }), line);

      // The check only read: no migrations table, no tables at all.
      const client = new Client({ connectionString: urlWith({ database }) });
      await client.connect();
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
      );
      await client.end();
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${database}`);
    }
  });
});
