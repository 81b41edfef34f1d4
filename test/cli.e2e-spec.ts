import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SNAPSHOT } from '../src/demo/demo-workspace';
import type { Snapshot, SnapshotPart, SnapshotTicket } from '../src/import/snapshot.types';
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

/** OPERATING.md "Later versions' data" added to the example: the four default states with ids of their own
 * (7001–7004), a custom in_progress state (7005), a custom waiting_on_customer one (7006) and an archived resolved
 * one (7007), all the Bug type's (a Tracker); a company; ticket 447 in state 7005 of that company, snoozed. */
function withStates(s: Snapshot): Snapshot {
  s.ticket_states = [
    { id: '7001', category: 'submitted', internal_label: 'Submitted', external_label: 'Submitted' },
    { id: '7002', category: 'in_progress', internal_label: 'In progress', external_label: 'In progress' },
    {
      id: '7003',
      category: 'waiting_on_customer',
      internal_label: 'Waiting on customer',
      external_label: 'Waiting on you',
    },
    { id: '7004', category: 'resolved', internal_label: 'Resolved', external_label: 'Resolved' },
    { id: '7005', category: 'in_progress', internal_label: 'Investigating', external_label: 'In progress' },
    {
      id: '7006',
      category: 'waiting_on_customer',
      internal_label: 'Waiting on vendor',
      external_label: 'Waiting on us',
    },
    {
      id: '7007',
      category: 'resolved',
      internal_label: "Won't fix",
      external_label: 'Closed',
      archived: true,
    },
  ];
  s.companies = [{ id: '6657add46abd0167d9419cd2', company_id: 'acme-1', name: 'Acme' }];
  Object.assign(s.ticket_types![0], {
    category: 'Tracker',
    ticket_state_ids: ['7001', '7002', '7003', '7004', '7005', '7006', '7007'],
  });
  Object.assign(s.tickets![0], {
    ticket_state: 'in_progress',
    ticket_state_id: '7005',
    open: true,
    snoozed_until: 1_900_000_000,
    company_id: '6657add46abd0167d9419cd2',
    previous_ticket_state_id: '7001',
  });
  return s;
}

const TABLES = [
  'workspaces',
  'admins',
  'teams',
  'contacts',
  'ticket_states',
  'companies',
  'ticket_types',
  'ticket_type_states',
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
    ticket_states: 0,
    companies: 0,
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

  describe("import of the later versions' data (OPERATING.md, BEHAVIOUR.md §6)", () => {
    type StateRow = {
      id: string;
      category: string;
      internal_label: string;
      external_label: string;
      archived: boolean;
    };
    type StoredTicket = {
      id: string;
      state: string;
      ticket_state_id: string;
      open: boolean;
      snoozed_until: number | null;
      company_id: string | null;
      previous_ticket_state_id: string | null;
      version: number;
    };
    const states = async (ws: string) =>
      (
        await ctx.t.db.query<StateRow>(
          `SELECT id::text, category, internal_label, external_label, archived FROM ticket_states
            WHERE workspace_id = $1 ORDER BY id`,
          [ws],
        )
      ).rows;
    const typeStates = async (ws: string, typeId: string) =>
      (
        await ctx.t.db.query<{ id: string }>(
          `SELECT ticket_state_id::text AS id FROM ticket_type_states
            WHERE workspace_id = $1 AND ticket_type_id = $2 ORDER BY ticket_state_id`,
          [ws, typeId],
        )
      ).rows.map((r) => r.id);
    const tickets = async (ws: string) =>
      (
        await ctx.t.db.query<StoredTicket>(
          `SELECT id::text, state, ticket_state_id::text, open, extract(epoch FROM snoozed_until)::int AS snoozed_until,
                  company_id, previous_ticket_state_id::text, version::int
             FROM tickets WHERE workspace_id = $1 ORDER BY id`,
          [ws],
        )
      ).rows;

    it('stores states, companies, type categories and states, and tickets in custom states', async () => {
      const ws = newWorkspaceId();
      const snapshot = withStates(operatingExample(ws));
      // A second type that names no states gets the workspace's default of each category (the lowest-id
      // unarchived one: 7002, not the custom 7005).
      snapshot.ticket_types!.push({ id: '72', name: 'Task', category: 'Back-office' });
      snapshot.tickets!.push(
        { id: '448', ticket_type_id: '72', ticket_state: 'in_progress', open: false, snoozed_until: null },
        // 2.12's object form, as Intercom exports it: its id is the state.
        {
          id: '449',
          ticket_type_id: '71',
          ticket_state: {
            type: 'ticket_state',
            id: '7006',
            category: 'waiting_on_customer',
            internal_label: 'Waiting on vendor',
            external_label: 'Waiting on us',
          } as SnapshotTicket['ticket_state'],
          ticket_parts: [
            {
              id: '101',
              part_type: 'ticket_attribute_updated_by_admin',
              author: { type: 'admin', id: '991267719' },
              // 2.14's shape, type tags and all; stored without them.
              updated_attribute_data: JSON.parse(
                '{"attribute":{"type":"attribute","id":"212","label":"Priority"},' +
                  '"value":{"type":"value","id":"b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91","label":"High"}}',
              ) as SnapshotPart['updated_attribute_data'],
            },
          ],
        },
      );

      const result = await runCli('import', writeSnapshot(snapshot));

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        ...summaryOf(ws),
        ticket_states: 7,
        companies: 1,
        ticket_types: 2,
        tickets: 3,
        ticket_parts: 2,
      });
      // Every category has an unarchived state in the file: no default was created.
      expect(await states(ws)).toEqual([
        {
          id: '7001',
          category: 'submitted',
          internal_label: 'Submitted',
          external_label: 'Submitted',
          archived: false,
        },
        {
          id: '7002',
          category: 'in_progress',
          internal_label: 'In progress',
          external_label: 'In progress',
          archived: false,
        },
        {
          id: '7003',
          category: 'waiting_on_customer',
          internal_label: 'Waiting on customer',
          external_label: 'Waiting on you',
          archived: false,
        },
        {
          id: '7004',
          category: 'resolved',
          internal_label: 'Resolved',
          external_label: 'Resolved',
          archived: false,
        },
        {
          id: '7005',
          category: 'in_progress',
          internal_label: 'Investigating',
          external_label: 'In progress',
          archived: false,
        },
        {
          id: '7006',
          category: 'waiting_on_customer',
          internal_label: 'Waiting on vendor',
          external_label: 'Waiting on us',
          archived: false,
        },
        {
          id: '7007',
          category: 'resolved',
          internal_label: "Won't fix",
          external_label: 'Closed',
          archived: true,
        },
      ]);
      expect(await typeStates(ws, '71')).toEqual(['7001', '7002', '7003', '7004', '7005', '7006', '7007']);
      expect(await typeStates(ws, '72')).toEqual(['7001', '7002', '7003', '7004']);
      const { rows: types } = await ctx.t.db.query(
        'SELECT id::text, category FROM ticket_types WHERE workspace_id = $1 ORDER BY ticket_types.id',
        [ws],
      );
      expect(types).toEqual([
        { id: '71', category: 'Tracker' },
        { id: '72', category: 'Back-office' },
      ]);
      const { rows: companies } = await ctx.t.db.query(
        'SELECT id, company_id, name FROM companies WHERE workspace_id = $1',
        [ws],
      );
      expect(companies).toEqual([{ id: '6657add46abd0167d9419cd2', company_id: 'acme-1', name: 'Acme' }]);
      expect(await tickets(ws)).toEqual([
        {
          id: '447',
          state: 'in_progress',
          ticket_state_id: '7005',
          open: true,
          snoozed_until: 1_900_000_000,
          company_id: '6657add46abd0167d9419cd2',
          previous_ticket_state_id: '7001',
          version: 1,
        },
        {
          id: '448',
          state: 'in_progress',
          ticket_state_id: '7002',
          open: false,
          snoozed_until: null,
          company_id: null,
          previous_ticket_state_id: null,
          version: 1,
        },
        {
          id: '449',
          state: 'waiting_on_customer',
          ticket_state_id: '7006',
          open: true,
          snoozed_until: null,
          company_id: null,
          previous_ticket_state_id: null,
          version: 1,
        },
      ]);
      const { rows: parts } = await ctx.t.db.query(
        'SELECT id::text, updated_attribute_data FROM ticket_parts WHERE workspace_id = $1 ORDER BY ticket_parts.id',
        [ws],
      );
      expect(parts).toEqual([
        { id: '100', updated_attribute_data: null },
        {
          id: '101',
          updated_attribute_data: {
            attribute: { id: '212', label: 'Priority' },
            value: { id: 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91', label: 'High' },
          },
        },
      ]);
    });

    it('creates the default state of each category the file leaves without one, past the imported ids, once', async () => {
      const ws = newWorkspaceId();
      const snapshot = operatingExample(ws);
      // in_progress has a state; resolved only an archived one, which does not count.
      snapshot.ticket_states = [
        {
          id: '9000000001',
          category: 'in_progress',
          internal_label: 'Investigating',
          external_label: 'In progress',
        },
        {
          id: '9000000002',
          category: 'resolved',
          internal_label: 'Old',
          external_label: 'Old',
          archived: true,
        },
      ];
      const file = writeSnapshot(snapshot);

      expect((await runCli('import', file)).code).toBe(0);

      const stored = await states(ws);
      expect(stored.slice(0, 2).map((s) => s.id)).toEqual(['9000000001', '9000000002']);
      const created = stored.slice(2);
      expect(created).toEqual([
        {
          id: expect.any(String),
          category: 'submitted',
          internal_label: 'Submitted',
          external_label: 'Submitted',
          archived: false,
        },
        {
          id: expect.any(String),
          category: 'waiting_on_customer',
          internal_label: 'Waiting on customer',
          external_label: 'Waiting on you',
          archived: false,
        },
        {
          id: expect.any(String),
          category: 'resolved',
          internal_label: 'Resolved',
          external_label: 'Resolved',
          archived: false,
        },
      ]);
      for (const state of created) expect(BigInt(state.id)).toBeGreaterThan(9_000_000_002n);
      // The new type names no states: the workspace's default of each category.
      expect(await typeStates(ws, '71')).toEqual(['9000000001', ...created.map((s) => s.id)]);
      expect(await tickets(ws)).toEqual([
        expect.objectContaining({ id: '447', state: 'submitted', ticket_state_id: created[0].id }),
      ]);

      const before = await dumpWorkspace(ws);
      expect((await runCli('import', file)).code).toBe(0);
      expect(await dumpWorkspace(ws)).toEqual(before);
    });

    it('gives a workspace whose file names no states the four defaults of BEHAVIOUR.md §1, in category order', async () => {
      const ws = newWorkspaceId();
      expect((await runCli('import', writeSnapshot(operatingExample(ws)))).code).toBe(0);

      const stored = await states(ws);
      expect(stored.map((s) => [s.category, s.internal_label, s.external_label, s.archived])).toEqual([
        ['submitted', 'Submitted', 'Submitted', false],
        ['in_progress', 'In progress', 'In progress', false],
        ['waiting_on_customer', 'Waiting on customer', 'Waiting on you', false],
        ['resolved', 'Resolved', 'Resolved', false],
      ]);
      expect(await typeStates(ws, '71')).toEqual(stored.map((s) => s.id));
      expect(await tickets(ws)).toEqual([
        expect.objectContaining({ id: '447', state: 'submitted', ticket_state_id: stored[0].id, open: true }),
      ]);
    });

    it('is idempotent: the same file twice leaves the same rows and ticket versions; a real change bumps one', async () => {
      const ws = newWorkspaceId();
      const snapshot = withStates(operatingExample(ws));
      snapshot.tickets!.push({
        id: '448',
        ticket_type_id: '71',
        ticket_state: 'resolved',
        created_at: 1663597300,
        updated_at: 1663597300,
      });
      const first = await runCli('import', writeSnapshot(snapshot));
      expect(first.code).toBe(0);
      const before = await dumpWorkspace(ws);

      const second = await runCli('import', writeSnapshot(snapshot));

      expect(second.code).toBe(0);
      expect(second.stdout).toBe(first.stdout);
      expect(await dumpWorkspace(ws)).toEqual(before);
      expect((await tickets(ws)).map((t) => t.version)).toEqual([1, 1]);

      snapshot.tickets![1].open = false;
      expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
      expect((await tickets(ws)).map((t) => [t.id, t.open, t.version])).toEqual([
        ['447', true, 1],
        ['448', false, 2],
      ]);
    });

    it("keeps a stored type's states when the file names none, and replaces them when it does", async () => {
      const ws = newWorkspaceId();
      const snapshot = withStates(operatingExample(ws));
      expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
      const all = ['7001', '7002', '7003', '7004', '7005', '7006', '7007'];

      delete snapshot.ticket_types![0].ticket_state_ids;
      expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
      expect(await typeStates(ws, '71')).toEqual(all);

      snapshot.ticket_types![0].ticket_state_ids = ['7001', '7002', '7003', '7004', '7005'];
      expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
      expect(await typeStates(ws, '71')).toEqual(['7001', '7002', '7003', '7004', '7005']);
    });

    describe('refuses what contradicts the stored workspace, naming object and field, and writes nothing', () => {
      type Contradiction = [name: string, where: string[], change: (s: Snapshot) => void];
      const cases: Contradiction[] = [
        [
          "a stored state's category",
          ['ticket_states[4].category', 'ticket state "7005" is in_progress', 'cannot change'],
          (s) => (s.ticket_states![4].category = 'resolved'),
        ],
        [
          'archiving the last unarchived in_progress states of a stored type that keeps its states',
          ['ticket_states[1].archived', 'ticket type "71" would have no unarchived in_progress state left'],
          (s) => {
            delete s.ticket_types![0].ticket_state_ids;
            s.ticket_states![1].archived = true;
            s.ticket_states![4].archived = true;
          },
        ],
        [
          'leaving out the state of a stored ticket the file does not hold',
          ['ticket_types[0].ticket_state_ids', 'leaves out ticket state "7005"', 'ticket "447"'],
          (s) => {
            s.tickets = [];
            s.ticket_types![0].ticket_state_ids = ['7001', '7002', '7003', '7004'];
          },
        ],
      ];

      it.each(cases)('%s', async (_name, where, change) => {
        const ws = newWorkspaceId();
        const snapshot = withStates(operatingExample(ws));
        expect((await runCli('import', writeSnapshot(snapshot))).code).toBe(0);
        const before = await dumpWorkspace(ws);
        change(snapshot);

        const result = await runCli('import', writeSnapshot(snapshot));

        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        for (const fragment of where) expect(result.stderr).toContain(fragment);
        expect(await dumpWorkspace(ws)).toEqual(before);
      });
    });

    it('imports the demo workspace (custom states, a company, a ticket in a custom state), twice alike', async () => {
      const ws = newWorkspaceId();
      const demo: Snapshot = { ...DEMO_SNAPSHOT, workspace: { ...DEMO_SNAPSHOT.workspace, id: ws } };
      const file = writeSnapshot(demo);

      const result = await runCli('import', file);

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ticket_states: 7, companies: 1, tickets: 3 });
      expect(await typeStates(ws, '71')).toEqual(['7001', '7002', '7003', '7004', '7005', '7006', '7007']);
      expect(await typeStates(ws, '72')).toEqual(['7001', '7002', '7003', '7004']);
      expect((await tickets(ws)).map((t) => [t.id, t.state, t.ticket_state_id, t.company_id])).toEqual([
        ['447', 'submitted', '7001', null],
        ['448', 'in_progress', '7002', null],
        ['449', 'waiting_on_customer', '7006', '6657add46abd0167d9419cd2'],
      ]);
      const before = await dumpWorkspace(ws);
      expect((await runCli('import', file)).code).toBe(0);
      expect(await dumpWorkspace(ws)).toEqual(before);
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
        'a field no API version defines (opened; `open` is imported)',
        ['tickets[0].opened', 'unknown field', "Intercom's ticket object"],
        (_, ticket) => Object.assign(ticket, { open: false, opened: false }),
      ],
      [
        'unknown ticket_state_id',
        ['tickets[0] (id "447").ticket_state_id', 'ticket state "9" not found'],
        (_, ticket) => (ticket.ticket_state_id = '9'),
      ],
      [
        "ticket_state_id not a state of the ticket's type",
        ['tickets[0] (id "447").ticket_state_id', 'ticket state "7008" is not a state of ticket type "71"'],
        (s, ticket) => {
          withStates(s);
          s.ticket_states!.push({
            id: '7008',
            category: 'resolved',
            internal_label: 'X',
            external_label: 'X',
          });
          ticket.ticket_state_id = '7008';
        },
      ],
      [
        'ticket_state and ticket_state_id of different categories',
        ['tickets[0] (id "447").ticket_state', '"resolved" is not the category of ticket state "7005"'],
        (s, ticket) => {
          withStates(s);
          ticket.ticket_state = 'resolved';
        },
      ],
      [
        "2.12's ticket_state object of the wrong category",
        [
          'tickets[0] (id "447").ticket_state.category',
          '"submitted" is not the category of ticket state "7005"',
        ],
        (s, ticket) => {
          withStates(s);
          delete ticket.ticket_state_id;
          ticket.ticket_state = { id: '7005', category: 'submitted', internal_label: 'Investigating' };
        },
      ],
      [
        'a snoozed closed ticket',
        ['tickets[0] (id "447").snoozed_until', '"open": false'],
        (s, ticket) => {
          withStates(s);
          ticket.open = false;
        },
      ],
      [
        'unknown company_id',
        ['tickets[0] (id "447").company_id', 'company "nope" not found'],
        (_, ticket) => (ticket.company_id = 'nope'),
      ],
      [
        'unknown previous_ticket_state_id',
        ['tickets[0] (id "447").previous_ticket_state_id', 'ticket state "8" not found'],
        (_, ticket) => (ticket.previous_ticket_state_id = '8'),
      ],
      [
        "a type's ticket_state_ids naming an unknown state",
        ['ticket_types[0].ticket_state_ids[1]', 'ticket state "9" not found'],
        (s) => {
          withStates(s);
          s.ticket_types![0].ticket_state_ids = ['7001', '9', '7003', '7004', '7005'];
        },
      ],
      [
        "a type's ticket_state_ids without an unarchived state of a category",
        ['ticket_types[0].ticket_state_ids', 'no unarchived resolved state'],
        (s) => {
          withStates(s);
          s.ticket_types![0].ticket_state_ids = ['7001', '7002', '7003', '7005', '7007'];
        },
      ],
      [
        'a ticket type category that does not exist',
        ['ticket_types[0].category', '"Customer", "Back-office", "Tracker"'],
        (s) => Object.assign(s.ticket_types![0], { category: 'Internal' }),
      ],
      [
        "updated_attribute_data naming an attribute the ticket's type lacks",
        ['tickets[0] (id "447").ticket_parts[0].updated_attribute_data.attribute.id', 'attribute "999"'],
        (_, ticket) =>
          (ticket.ticket_parts![0].updated_attribute_data = {
            attribute: { id: '999', label: 'Gone' },
            value: { id: null, label: '' },
          }),
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
      expect(JSON.parse(result.stdout)).toEqual({
        ...summaryOf(ws),
        ticket_states: 7,
        companies: 1,
        tickets: 2,
        ticket_parts: 2,
      });
      const row = await ticketRow(ctx.t.db, ws, '447');
      expect(row).toMatchObject({ state: 'submitted', admin_assignee_id: null, team_assignee_id: null });
      const { rows: custom } = await ctx.t.db.query(
        `SELECT ticket_state_id::text, state, company_id FROM tickets WHERE workspace_id = $1 AND id = 448`,
        [ws],
      );
      expect(custom).toEqual([
        { ticket_state_id: '7005', state: 'in_progress', company_id: '6657add46abd0167d9419cd2' },
      ]);
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
