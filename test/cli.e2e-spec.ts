import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot, SnapshotTicket } from '../src/import/snapshot.types';
import { putTicket, testDatabaseUrl, useApp, within } from './support/app';
import { runNode, type NodeResult } from './support/server-process';
import { partRows, ticketRow } from './support/factories';

/** OPERATING.md: the CLI run as a real process against the test database. */
const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function runCli(...args: string[]): Promise<NodeResult> {
  return runCliWithInput(undefined, ...args);
}

/** The CLI with `input` on its standard input (undefined: an empty, closed one). */
function runCliWithInput(input: string | undefined, ...args: string[]): Promise<NodeResult> {
  return runNode('cli/main.js', args, { env: { ...process.env, DATABASE_URL: testDatabaseUrl() }, input });
}

const newWorkspaceId = (): string => `cli_${randomUUID().slice(0, 8)}`;

/** The example snapshot of OPERATING.md, in a workspace of its own. */
function operatingExample(workspaceId: string): Snapshot {
  const at = { created_at: 1717021671, updated_at: 1717021671 };
  return {
    workspace: { id: workspaceId, name: 'Acme', default_intercom_version: '2.9' },
    admins: [{ id: '991267719', name: 'Ann Admin', email: 'ann@acme.test' }],
    teams: [{ id: '814', name: 'Billing', admin_ids: ['991267719'] }],
    contacts: [{ id: '6657abe76abd0164c24b0df3', external_id: 'u-1', role: 'user', email: 'c@acme.test' }],
    ticket_types: [
      {
        id: '71',
        name: 'Bug',
        description: 'A bug that has been reported.',
        icon: '🐞',
        archived: false,
        ...at,
        ticket_type_attributes: [
          {
            id: '208',
            name: '_default_title_',
            description: 'Title',
            data_type: 'string',
            input_options: { multiline: false },
            order: 0,
            required_to_create: true,
            required_to_create_for_contacts: false,
            visible_on_create: true,
            visible_to_contacts: true,
            default: true,
            archived: false,
            ...at,
          },
          {
            id: '212',
            name: 'Priority',
            description: '',
            data_type: 'list',
            order: 2,
            input_options: {
              list_items: [{ id: 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91', label: 'High', archived: false }],
            },
            required_to_create: false,
            required_to_create_for_contacts: false,
            visible_on_create: true,
            visible_to_contacts: false,
            default: false,
            archived: false,
            ...at,
          },
        ],
      },
    ],
    tickets: [
      {
        id: '447',
        ticket_id: '1390',
        ticket_type_id: '71',
        ticket_state: 'submitted',
        ticket_attributes: { _default_title_: 'Login fails', Priority: 'High' },
        contact_ids: ['6657abe76abd0164c24b0df3'],
        admin_assignee_id: '0',
        team_assignee_id: '0',
        is_shared: true,
        created_at: 1663597223,
        updated_at: 1663597260,
        ticket_parts: [
          {
            id: '100',
            part_type: 'comment',
            body: '<p>It fails</p>',
            author: { type: 'admin', id: '991267719' },
            created_at: 1663597223,
            updated_at: 1663597223,
            attachments: [],
            external_id: null,
            redacted: false,
          },
        ],
      },
    ],
  };
}

const TABLES = [
  'workspaces',
  'admins',
  'teams',
  'contacts',
  'ticket_types',
  'ticket_type_attributes',
  'tickets',
  'ticket_contacts',
  'ticket_parts',
  'access_tokens',
] as const;

describe('CLI (OPERATING.md)', () => {
  const ctx = useApp();
  const dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function writeSnapshot(content: Snapshot | string): string {
    const file = join(dir, `${randomUUID()}.json`);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  /** Every row of the workspace in every table, in a stable order. */
  async function dumpWorkspace(workspaceId: string): Promise<Record<string, unknown[]>> {
    const dump: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      const { rows } = await ctx.t.db.query<{ row: unknown }>(
        `SELECT to_jsonb(x) AS row FROM ${table} x WHERE workspace_id = $1 ORDER BY to_jsonb(x)::text`,
        [workspaceId],
      );
      dump[table] = rows.map((r) => r.row);
    }
    return dump;
  }

  async function workspaceExists(workspaceId: string): Promise<boolean> {
    const { rows } = await ctx.t.db.query('SELECT 1 FROM workspaces WHERE workspace_id = $1', [workspaceId]);
    return rows.length > 0;
  }

  async function createToken(workspaceId: string): Promise<string> {
    const result = await runCli('token', 'create', '--workspace', workspaceId);
    expect(result).toMatchObject({ code: 0 });
    return result.stdout.trim();
  }

  const summaryOf = (workspaceId: string) => ({
    workspace: workspaceId,
    admins: 1,
    teams: 1,
    contacts: 1,
    ticket_types: 1,
    ticket_type_attributes: 2,
    tickets: 1,
    ticket_parts: 1,
  });

  describe('import', () => {
    it('loads the OPERATING.md example, prints a one-line JSON summary and stores every row with its id', async () => {
      const ws = newWorkspaceId();
      const result = await runCli('import', writeSnapshot(operatingExample(ws)));

      expect(result.code).toBe(0);
      expect(result.stderr).toBe(''); // stderr is no terminal here: no progress, nothing else
      expect(result.stdout.endsWith('\n')).toBe(true);
      expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(result.stdout)).toEqual(summaryOf(ws));

      const { rows: tickets } = await ctx.t.db.query(
        'SELECT id::text, ticket_number, ticket_type_id::text, state, is_shared FROM tickets WHERE workspace_id = $1',
        [ws],
      );
      expect(tickets).toEqual([
        { id: '447', ticket_number: '1390', ticket_type_id: '71', state: 'submitted', is_shared: true },
      ]);
      const row = await ticketRow(ctx.t.db, ws, '447');
      expect(row.attributes).toEqual({ _default_title_: 'Login fails', Priority: 'High' });
      expect(row).toMatchObject({ admin_assignee_id: null, team_assignee_id: null });
      const parts = await partRows(ctx.t.db, ws, '447');
      expect(parts.map((p) => [p.id, p.part_type, p.author_id])).toEqual([['100', 'comment', '991267719']]);

      const { rows: admins } = await ctx.t.db.query(
        'SELECT id::text, type, name, email FROM admins WHERE workspace_id = $1 ORDER BY type',
        [ws],
      );
      expect(admins).toEqual([
        { id: '991267719', type: 'admin', name: 'Ann Admin', email: 'ann@acme.test' },
        {
          id: expect.stringMatching(/^\d+$/),
          type: 'bot',
          name: 'Operator',
          email: `operator+${ws}@intercom.io`,
        },
      ]);
      const { rows: contacts } = await ctx.t.db.query(
        'SELECT contact_id FROM ticket_contacts WHERE workspace_id = $1 AND ticket_id = 447',
        [ws],
      );
      expect(contacts).toEqual([{ contact_id: '6657abe76abd0164c24b0df3' }]);
    });

    it('is idempotent: the same file twice prints the same summary and leaves identical rows', async () => {
      const ws = newWorkspaceId();
      const file = writeSnapshot(operatingExample(ws));
      const first = await runCli('import', file);
      expect(first.code).toBe(0);
      const before = await dumpWorkspace(ws);

      const second = await runCli('import', file);

      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toEqual(summaryOf(ws));
      expect(second.stdout).toBe(first.stdout);
      const after = await dumpWorkspace(ws);
      expect(after).toEqual(before);
      expect(after.admins).toHaveLength(2);
      expect(after.ticket_parts).toHaveLength(1);
    });

    it('keeps imported ids and moves the sequences past them, so new parts never collide', async () => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      snapshot.tickets![0].ticket_parts![0].id = '9000000000';
      expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
      const token = await createToken(ws);

      const res = await putTicket(ctx.t.http, token, '447', { state: 'in_progress' }).expect(200);

      const parts = res.body.ticket_parts.ticket_parts as { id: string; part_type: string }[];
      expect(parts.map((p) => p.part_type)).toEqual(['comment', 'ticket_state_updated_by_admin']);
      expect(parts[0].id).toBe('9000000000');
      expect(BigInt(parts[1].id)).toBeGreaterThan(9_000_000_000n);
      const stored = await partRows(ctx.t.db, ws, '447');
      expect(stored.map((p) => p.id)).toEqual(parts.map((p) => p.id));
      expect((await ticketRow(ctx.t.db, ws, '447')).state).toBe('in_progress');
    });
  });

  describe('import of attribute names that are JavaScript internals (issue #9 point 6)', () => {
    const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    /** JSON.parse makes `__proto__` an own key, as it is in a file; JSON.stringify writes it back. */
    const internalAttributes = (): Record<string, unknown> =>
      JSON.parse(
        '{"_default_title_":"Login fails","__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h"}',
      ) as Record<string, unknown>;

    it('stores exactly those attribute names and values', async () => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      snapshot.ticket_types![0].ticket_type_attributes!.push(
        ...NAMES.map((name, i) => ({ id: String(300 + i), name, data_type: 'string' as const })),
      );
      snapshot.tickets![0].ticket_attributes = internalAttributes();

      const result = await runCli('import', writeSnapshot(snapshot));

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ticket_type_attributes: 6, tickets: 1 });
      const { rows: attributes } = await ctx.t.db.query<{ name: string }>(
        'SELECT name FROM ticket_type_attributes WHERE workspace_id = $1 AND id >= 300 ORDER BY id',
        [ws],
      );
      expect(attributes.map((a) => a.name)).toEqual(NAMES);
      // Read as rows of (key, value), so no JavaScript object stands between the test and the stored jsonb.
      const { rows: stored } = await ctx.t.db.query<{ key: string; value: string }>(
        `SELECT key, value FROM tickets, jsonb_each_text(attributes)
          WHERE workspace_id = $1 AND id = 447 ORDER BY key COLLATE "C"`,
        [ws],
      );
      expect(stored).toEqual([
        { key: '__proto__', value: 'p' },
        { key: '_default_title_', value: 'Login fails' },
        { key: 'constructor', value: 'c' },
        { key: 'hasOwnProperty', value: 'h' },
        { key: 'toString', value: 't' },
      ]);
    });

    it('refuses such a name when the ticket type lacks it, naming it, and writes nothing', async () => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      snapshot.tickets![0].ticket_attributes = internalAttributes();

      const result = await runCli('import', writeSnapshot(snapshot));

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      for (const name of NAMES) {
        expect(result.stderr).toContain(
          `tickets[0] (id "447").ticket_attributes.${name}: not an attribute of ticket type "71"`,
        );
      }
      expect(await workspaceExists(ws)).toBe(false);
    });
  });

  describe('import of a broken snapshot: exit 1, the problem named on stderr, nothing written', () => {
    type Breakage = [name: string, where: string[], breakIt: (s: Snapshot, ticket: SnapshotTicket) => void];
    const cases: Breakage[] = [
      [
        'unknown ticket_type_id',
        ['tickets[0]', 'ticket_type_id'],
        (_, ticket) => (ticket.ticket_type_id = '999'),
      ],
      [
        'unknown contact_ids entry',
        ['tickets[0]', 'contact_ids'],
        (_, ticket) => (ticket.contact_ids = ['nobody']),
      ],
      [
        'unknown admin_assignee_id',
        ['tickets[0]', 'admin_assignee_id'],
        (_, ticket) => (ticket.admin_assignee_id = '123456'),
      ],
      [
        'unknown team_assignee_id',
        ['tickets[0]', 'team_assignee_id'],
        (_, ticket) => (ticket.team_assignee_id = '123456'),
      ],
      [
        'unknown part author',
        ['tickets[0]', 'ticket_parts[0]', 'author'],
        (_, ticket) => (ticket.ticket_parts![0].author = { type: 'admin', id: '123456' }),
      ],
      [
        'unknown team admin_ids entry',
        ['teams[0]', 'admin_ids'],
        (s) => (s.teams![0].admin_ids = ['123456']),
      ],
      [
        'attribute name not on the ticket type',
        ['tickets[0]', 'ticket_attributes', 'Severity'],
        (_, ticket) => (ticket.ticket_attributes = { _default_title_: 'Login fails', Severity: 'x' }),
      ],
      [
        'attribute value of the wrong type',
        ['tickets[0]', 'ticket_attributes', 'Priority'],
        (_, ticket) => (ticket.ticket_attributes = { _default_title_: 'Login fails', Priority: 'Nope' }),
      ],
      [
        'missing required field',
        ['tickets[0]', 'ticket_type_id'],
        (_, ticket) => delete (ticket as Partial<SnapshotTicket>).ticket_type_id,
      ],
      [
        'bad enum ticket_state',
        ['tickets[0]', 'ticket_state'],
        (_, ticket) => Object.assign(ticket, { ticket_state: 'frozen' }),
      ],
      [
        'duplicate ticket ids',
        ['tickets[1]', '447'],
        (s, ticket) => s.tickets!.push({ ...ticket, ticket_parts: [] }),
      ],
      [
        'a misspelt field (ticket_atributes)',
        ['tickets[0].ticket_atributes', 'unknown field', "Intercom's ticket object"],
        (_, ticket) => Object.assign(ticket, { ticket_atributes: { Priority: 'High' } }),
      ],
      [
        'a field of a later API version the format does not import yet (open)',
        ['tickets[0].open', 'unknown field'],
        (_, ticket) => Object.assign(ticket, { open: false }),
      ],
      [
        'a string PostgreSQL cannot store (NUL)',
        ['contacts[0].email', 'NUL'],
        (s) => {
          s.contacts![0].email = 'a\u0000b';
        },
      ],
    ];

    it.each(cases)('%s', async (_name, where, breakIt) => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      breakIt(snapshot, snapshot.tickets![0]);

      const result = await runCli('import', writeSnapshot(snapshot));

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      for (const fragment of where) expect(result.stderr).toContain(fragment);
      expect(result.stderr).not.toMatch(/\n\s+at .+\.js:\d+/); // a message, not a stack trace
      expect(await workspaceExists(ws)).toBe(false);
      expect(await dumpWorkspace(ws)).toEqual(Object.fromEntries(TABLES.map((table) => [table, []])));
    });
  });

  describe('import, as a user meets it (issue #10 point 12)', () => {
    const example = (): string => readFileSync(join(ROOT, 'examples', 'workspace.json'), 'utf8');

    it('reads standard input for "-": the shipped example, in a workspace of its own', async () => {
      const ws = newWorkspaceId();
      const text = example().replace('"ecahpwf5"', JSON.stringify(ws));
      expect(text).toContain(ws);

      const result = await runCliWithInput(text, 'import', '-');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(summaryOf(ws));
      const row = await ticketRow(ctx.t.db, ws, '447');
      expect(row).toMatchObject({ state: 'submitted', admin_assignee_id: null, team_assignee_id: null });
      expect(row.attributes).toEqual({ _default_title_: 'Login fails', Priority: 'High' });
      const parts = await partRows(ctx.t.db, ws, '447');
      expect(parts.map((p) => [p.id, p.part_type, p.author_id])).toEqual([['100', 'comment', '991267719']]);
      const { rows: contacts } = await ctx.t.db.query(
        'SELECT contact_id FROM ticket_contacts WHERE workspace_id = $1 AND ticket_id = 447',
        [ws],
      );
      expect(contacts).toEqual([{ contact_id: '6657abe76abd0164c24b0df3' }]);
    });

    it('names standard input in messages and writes nothing', async () => {
      const result = await runCliWithInput('{"workspace": {"id": "cli_stdin"}, "tickets": [', 'import', '-');

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('standard input:1:');
      expect(result.stderr).toContain('not valid JSON');
      expect(await workspaceExists('cli_stdin')).toBe(false);
    });

    it('lists at most 50 problems and then says how many more there are', async () => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      const ticket = snapshot.tickets![0];
      snapshot.tickets = Array.from({ length: 60 }, (_, i) => ({
        ...ticket,
        id: String(1000 + i),
        ticket_type_id: '999',
        ticket_attributes: {},
        ticket_parts: [],
      }));

      const result = await runCli('import', writeSnapshot(snapshot));

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1 + 50 + 1);
      expect(lines[1]).toContain('tickets[0] (id "1000").ticket_type_id: ticket type "999" not found');
      expect(lines[50]).toContain('tickets[49] (id "1049")');
      expect(lines[51].trim()).toBe('... and 10 more');
      expect(await workspaceExists(ws)).toBe(false);
    });

    it('--help points to the example snapshot in the repository', async () => {
      const result = await runCli('import', '--help');

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('examples/workspace.json');
      expect(result.stdout).toContain('- to read standard input');
      expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('examples/workspace.json');
    });

    const hasScript = spawnSync('script', ['--version']).status === 0;
    (hasScript ? it : it.skip)(
      'shows progress on a terminal (stderr), never in the summary on stdout',
      async () => {
        const ws = newWorkspaceId();
        const file = writeSnapshot(operatingExample(ws));
        const summaryFile = join(dir, `${randomUUID()}.out`);
        const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
        // util-linux script(1) runs the command on a pseudo-terminal; stdout goes to a file, so only
        // stderr is the terminal.
        const command = [process.execPath, CLI, 'import', file].map(quote).join(' ');
        const terminal = await new Promise<NodeResult>((resolve, reject) => {
          const child = spawn('script', ['-qec', `${command} > ${quote(summaryFile)}`, '/dev/null'], {
            cwd: ROOT,
            env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
          });
          let stdout = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
          child.stdin.end();
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
        });

        expect(terminal.code).toBe(0);
        expect(terminal.stdout).toContain('importing: tickets 1/1 (100%)');
        expect(terminal.stdout).toContain('importing: ticket parts 1/1 (100%)');
        expect(terminal.stdout.endsWith('\r\u001b[K')).toBe(true); // the line is erased at the end
        const summary = readFileSync(summaryFile, 'utf8');
        expect(summary.trimEnd().split('\n')).toHaveLength(1);
        expect(JSON.parse(summary)).toEqual(summaryOf(ws));
        expect((await dumpWorkspace(ws)).tickets).toHaveLength(1);
      },
    );
  });

  describe('import of an unreadable file', () => {
    it('rejects a file that is not JSON, naming the file, line and column', async () => {
      const file = writeSnapshot('{"workspace": {"id": "cli_broken"');
      const result = await runCli('import', file);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${file}:1:34: not valid JSON: unexpected end of input`);
      expect(await workspaceExists('cli_broken')).toBe(false);
    });

    it('reports where a file stops being JSON on a later line', async () => {
      const file = writeSnapshot('{\n  "workspace": {"id": "cli_broken2"},\n  "tickets": [}\n}');
      const result = await runCli('import', file);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${file}:3:15: not valid JSON: unexpected character "}"`);
      expect(await workspaceExists('cli_broken2')).toBe(false);
    });

    it('rejects a missing file, naming it', async () => {
      const file = join(dir, 'does-not-exist.json');
      const result = await runCli('import', file);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(file);
    });
  });

  describe('usage', () => {
    it.each([
      { label: 'no arguments', args: [] },
      { label: 'an unknown command', args: ['frobnicate'] },
    ])('$label: non-zero exit with usage on stderr', async ({ args }) => {
      const result = await runCli(...args);

      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/usage/i);
    });
  });

  describe('tokens', () => {
    let ws: string;

    beforeAll(async () => {
      ws = newWorkspaceId();
      expect((await runCli('import', writeSnapshot(operatingExample(ws)))).code).toBe(0);
    });

    it('token create prints only the token, and it authenticates API requests', async () => {
      const result = await runCli('token', 'create', '--workspace', ws, '--name', 'e2e');

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^tok_[A-Za-z0-9_-]{43}\n$/);
      const token = result.stdout.trim();
      const res = await putTicket(ctx.t.http, token, '447', {}).expect(200);
      expect(res.body).toMatchObject({ type: 'ticket', id: '447', ticket_id: '1390' });

      const { rows } = await ctx.t.db.query<{ name: string; row: string }>(
        'SELECT name, to_jsonb(x)::text AS row FROM access_tokens x WHERE workspace_id = $1',
        [ws],
      );
      expect(rows.map((r) => r.name)).toEqual(['e2e']);
      expect(rows[0].row).not.toContain(token.slice(4)); // BEHAVIOUR.md §5: stored only as a hash
    });

    it('token create for an unknown workspace fails, naming it, and writes nothing', async () => {
      const result = await runCli('token', 'create', '--workspace', 'nope');

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('nope');
      const { rows } = await ctx.t.db.query("SELECT 1 FROM access_tokens WHERE workspace_id = 'nope'");
      expect(rows).toHaveLength(0);
    });

    it('token revoke makes the API answer 401; revoking again fails', async () => {
      const token = await createToken(ws);
      await putTicket(ctx.t.http, token, '447', {}).expect(200);

      const revoked = await runCli('token', 'revoke', token);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toBe('');

      // Running servers hear of it through LISTEN/NOTIFY (their token cache is emptied).
      await within(1_000, async () => (await putTicket(ctx.t.http, token, '447', {})).status === 401);
      const res = await putTicket(ctx.t.http, token, '447', {}).expect(401);
      expect(res.body.errors).toEqual([{ code: 'unauthorized', message: 'Access Token Invalid' }]);

      const again = await runCli('token', 'revoke', token);
      expect(again.code).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).not.toBe('');
    });
  });
});
