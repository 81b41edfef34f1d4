import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { testDatabaseUrl } from './support/app';
import { IDS, seedWorkspace, type SeededWorkspace, standardSnapshot } from './support/factories';
import { runNode } from './support/server-process';
import { deliveryRows, queueNotifications } from './support/webhooks';

/**
 * OPERATING.md's `webhook` commands, run as the compiled CLI in real processes against the test database: what
 * each prints, what it leaves in the database, what it announces (NOTIFY), and every bad input refused with a
 * message naming the problem, a non-zero exit and nothing written.
 */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runNode('cli/main.js', ['webhook', ...args], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), ...env },
  });

/** A workspace whose default version is `version`. */
const withDefault = (version: string) => (id: string) => {
  const snapshot = standardSnapshot(id);
  return { ...snapshot, workspace: { ...snapshot.workspace, default_intercom_version: version } };
};

type Subscription = {
  id: string;
  url: string;
  topics: string[];
  version: string;
  secret: string;
  active: boolean;
};

describe('webhook CLI', () => {
  let db: Pool;
  let dataSource: DataSource;
  let listener: Client;
  const notices: { channel: string; payload: string }[] = [];
  let ws: SeededWorkspace;

  beforeAll(async () => {
    db = new Pool({ connectionString: testDatabaseUrl(), max: 2 });
    dataSource = await createDataSource(testDatabaseUrl(), ENTITIES, 2).initialize();
    listener = new Client({ connectionString: testDatabaseUrl() });
    await listener.connect();
    listener.on('notification', (n) => notices.push({ channel: n.channel, payload: n.payload ?? '' }));
    await listener.query('LISTEN webhooks_changed');
    await listener.query('LISTEN webhook_deliveries');
  });
  afterAll(async () => {
    await listener.end();
    await dataSource.destroy();
    await db.end();
  });
  beforeEach(async () => {
    ws = await seedWorkspace();
    notices.length = 0;
  });

  const subscriptions = async (workspaceId = ws.workspaceId): Promise<Subscription[]> =>
    (
      await db.query<Subscription>(
        `SELECT id::text, url, topics, version, secret, active FROM webhook_subscriptions
          WHERE workspace_id = $1 ORDER BY webhook_subscriptions.id`,
        [workspaceId],
      )
    ).rows;
  /** NOTIFYs arrive asynchronously; a committed command's are there within moments. */
  const noticesAfter = async (ms = 300) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    // Other files' outboxes notify webhook_deliveries too, with an empty payload.
    return notices.filter((n) => n.payload.includes(ws.workspaceId));
  };
  const create = async (...extra: string[]) => {
    const result = await cli([
      'create',
      '--workspace',
      ws.workspaceId,
      '--url',
      'https://receiver.example/hooks',
      '--topics',
      'ticket.state.updated,ticket.closed',
      ...extra,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as { id: string; secret: string };
  };

  describe('create', () => {
    it('prints one JSON line with the id and the secret, and nothing else', async () => {
      const result = await cli([
        'create',
        '--workspace',
        ws.workspaceId,
        '--url',
        'https://receiver.example/hooks#ignored',
        '--topics',
        'ticket.state.updated, ticket.closed,ticket.state.updated',
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^\{"id":"\d+","secret":"whsec_[A-Za-z0-9+/]{43}="\}\n$/);
      const created = JSON.parse(result.stdout) as { id: string; secret: string };
      expect(await subscriptions()).toEqual([
        {
          id: created.id,
          url: 'https://receiver.example/hooks',
          topics: ['ticket.state.updated', 'ticket.closed'],
          version: '2.9',
          secret: created.secret,
          active: true,
        },
      ]);
      expect(await noticesAfter()).toEqual([
        {
          channel: 'webhooks_changed',
          payload: JSON.stringify({
            change: 'created',
            workspace_id: ws.workspaceId,
            subscription_id: created.id,
          }),
        },
      ]);
    });

    it("takes the workspace's default version, or --version (Unstable is Preview)", async () => {
      ws = await seedWorkspace(withDefault('2.14'));
      await create();
      await create('--version', 'Unstable');
      await create('--version', '2.16');
      expect((await subscriptions()).map((s) => s.version)).toEqual(['2.14', 'Preview', '2.16']);
    });

    it('takes ticket.resolved from 2.15 on', async () => {
      const result = await cli(
        [
          'create',
          '--workspace',
          ws.workspaceId,
          '--url',
          'https://r.example/',
          '--topics',
          'ticket.resolved',
        ].concat(['--version', '2.15']),
      );
      expect(result.code).toBe(0);
      expect((await subscriptions()).map((s) => [s.topics, s.version])).toEqual([
        [['ticket.resolved'], '2.15'],
      ]);
    });

    it('allows a private address outside production, and in production when told to', async () => {
      const url = ['--url', 'http://127.0.0.1:8080/hooks', '--topics', 'ticket.closed'];
      expect((await cli(['create', '--workspace', ws.workspaceId, ...url])).code).toBe(0);
      const told = await cli(['create', '--workspace', ws.workspaceId, ...url], {
        NODE_ENV: 'production',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      });
      expect(told.code).toBe(0);
      expect(await subscriptions()).toHaveLength(2);
    });

    it.each([
      [
        'an unknown topic',
        ['--url', 'https://r.example/', '--topics', 'ticket.closed,ticket.reopened'],
        {},
        /^--topics: unknown topic "ticket.reopened"; the topics are ticket.attribute.updated, ticket.state.updated, ticket.admin.assigned, ticket.team.assigned, ticket.closed, ticket.resolved\n$/,
      ],
      ['no topic', ['--url', 'https://r.example/', '--topics', ','], {}, /^--topics: no topic given/],
      [
        'ticket.resolved below 2.15',
        ['--url', 'https://r.example/', '--topics', 'ticket.resolved', '--version', '2.14'],
        {},
        /^--topics: ticket.resolved exists from version 2.15 on, and this subscription is 2.14/,
      ],
      [
        "ticket.resolved at the workspace's default version (2.9)",
        ['--url', 'https://r.example/', '--topics', 'ticket.closed,ticket.resolved'],
        {},
        /^--topics: ticket.resolved exists from version 2.15 on, and this subscription is 2.9/,
      ],
      [
        'an unknown version',
        ['--url', 'https://r.example/', '--topics', 'ticket.closed', '--version', '2.99'],
        {},
        /^--version: unknown version "2.99"; use 2.9–2.16, Preview or Unstable\n$/,
      ],
      [
        'a version without tickets',
        ['--url', 'https://r.example/', '--topics', 'ticket.closed', '--version', '2.8'],
        {},
        /^--version: version 2.8 has no tickets API; use 2.9–2.16, Preview or Unstable\n$/,
      ],
      [
        'a URL that is not http(s)',
        ['--url', 'ftp://r.example/', '--topics', 'ticket.closed'],
        {},
        /^--url: "ftp:\/\/r.example\/" must be an http:\/\/ or https:\/\/ URL \(got ftp\)\n$/,
      ],
      [
        'a relative URL',
        ['--url', 'r.example/hooks', '--topics', 'ticket.closed'],
        {},
        /^--url: "r.example\/hooks" is not a valid URL\n$/,
      ],
      [
        'a loopback address in production',
        ['--url', 'http://127.0.0.1:8080/hooks', '--topics', 'ticket.closed'],
        { NODE_ENV: 'production' },
        /^--url: 127.0.0.1 is a loopback, private or otherwise non-public address, which webhooks may not reach \(WEBHOOK_ALLOW_PRIVATE_URLS is false, its default with NODE_ENV=production\)\n$/,
      ],
      [
        'a private IPv6 address in production',
        ['--url', 'http://[fd00::1]/hooks', '--topics', 'ticket.closed'],
        { NODE_ENV: 'production' },
        /^--url: fd00::1 is a loopback, private/,
      ],
      ['a missing --url', ['--topics', 'ticket.closed'], {}, /required option '--url <url>' not specified/],
    ])('refuses %s, writing nothing', async (_label, args, env, message) => {
      const result = await cli(['create', '--workspace', ws.workspaceId, ...args], env);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(await subscriptions()).toEqual([]);
      expect(await noticesAfter(100)).toEqual([]);
    });

    it('refuses an unknown workspace', async () => {
      const result = await cli([
        'create',
        '--workspace',
        'nope',
        '--url',
        'https://r.example/',
        '--topics',
        'ticket.closed',
      ]);
      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr: '--workspace: workspace "nope" not found\n',
      });
    });

    it('refuses a workspace whose default version has no tickets, unless --version is given', async () => {
      ws = await seedWorkspace(withDefault('2.5'));
      const args = [
        'create',
        '--workspace',
        ws.workspaceId,
        '--url',
        'https://r.example/',
        '--topics',
        'ticket.closed',
      ];
      const result = await cli(args);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe(
        `workspace "${ws.workspaceId}"'s default version (pass --version): version 2.5 has no tickets API; use 2.9–2.16, Preview or Unstable\n`,
      );
      expect(await subscriptions()).toEqual([]);
      expect((await cli([...args, '--version', '2.9'])).code).toBe(0);
    });
  });

  describe('list', () => {
    it('prints each subscription with its delivery counts, never the secret', async () => {
      const first = await create();
      const second = await create('--version', '2.14');
      await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
        { subscriptionId: first.id, topic: 'ticket.closed' },
        { subscriptionId: first.id, topic: 'ticket.state.updated' },
        { subscriptionId: first.id, topic: 'ticket.closed' },
        { subscriptionId: second.id, topic: 'ticket.closed' },
      ]);
      const rows = await deliveryRows(db, ws.workspaceId);
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now() WHERE notification_id = $1`,
        [rows[1].notification_id],
      );
      await db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE notification_id = $1`, [
        rows[2].notification_id,
      ]);
      await db.query(
        `UPDATE webhook_subscriptions SET active = false, disabled_reason = 'the receiver answered 410 Gone to x' WHERE id = $1`,
        [second.id],
      );

      const result = await cli(['list', '--workspace', ws.workspaceId]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).not.toContain(first.secret);
      expect(result.stdout).not.toContain('whsec_');
      const lines = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        {
          id: first.id,
          url: 'https://receiver.example/hooks',
          topics: ['ticket.state.updated', 'ticket.closed'],
          version: '2.9',
          active: true,
          disabled_reason: null,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
          deliveries: { pending: 1, delivered: 1, failed: 1 },
        },
        {
          id: second.id,
          url: 'https://receiver.example/hooks',
          topics: ['ticket.state.updated', 'ticket.closed'],
          version: '2.14',
          active: false,
          disabled_reason: 'the receiver answered 410 Gone to x',
          created_at: expect.any(String) as string,
          deliveries: { pending: 1, delivered: 0, failed: 0 },
        },
      ]);
    });

    it('prints nothing for a workspace without subscriptions, and refuses an unknown one', async () => {
      expect(await cli(['list', '--workspace', ws.workspaceId])).toMatchObject({
        code: 0,
        stdout: '',
        stderr: '',
      });
      expect(await cli(['list', '--workspace', 'nope'])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: '--workspace: workspace "nope" not found\n',
      });
    });
  });

  describe('delete', () => {
    it('removes the subscription and its notifications, and announces it', async () => {
      const kept = await create();
      const gone = await create();
      await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
        { subscriptionId: gone.id, topic: 'ticket.closed' },
        { subscriptionId: kept.id, topic: 'ticket.closed' },
      ]);
      notices.length = 0;
      const result = await cli(['delete', gone.id]);
      expect(result).toMatchObject({
        code: 0,
        stdout: '',
        stderr: `subscription ${gone.id} deleted (1 pending notification(s) will not be sent)\n`,
      });
      expect((await subscriptions()).map((s) => s.id)).toEqual([kept.id]);
      expect((await deliveryRows(db, ws.workspaceId)).map((row) => row.subscription_id)).toEqual([kept.id]);
      expect(await noticesAfter()).toEqual([
        {
          channel: 'webhooks_changed',
          payload: JSON.stringify({
            change: 'deleted',
            workspace_id: ws.workspaceId,
            subscription_id: gone.id,
          }),
        },
      ]);
    });

    it.each([
      ['an unknown id', '999999999'],
      ['a non-numeric id', 'abc'],
      ['an id beyond bigint', '99999999999999999999'],
    ])('refuses %s, deleting nothing', async (_label, id) => {
      await create();
      expect(await cli(['delete', id])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `subscription ${JSON.stringify(id)} not found\n`,
      });
      expect(await subscriptions()).toHaveLength(1);
    });
  });

  describe('deliveries and redeliver', () => {
    it('lists notifications in commit order with their attempts; --failed only the failed ones', async () => {
      const { id } = await create();
      const ids = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
        { subscriptionId: id, topic: 'ticket.state.updated' },
        { subscriptionId: id, topic: 'ticket.closed' },
      ]);
      await db.query(
        `UPDATE webhook_deliveries SET status = 'failed', attempts = 11, first_sent_at = now() - interval '1 day',
                last_attempt_at = now(), last_status = 503, last_error = 'HTTP 503'
          WHERE notification_id = $1`,
        [ids[1]],
      );
      const all = await cli(['deliveries', '--workspace', ws.workspaceId]);
      expect(all).toMatchObject({ code: 0, stderr: '' });
      const lines = all.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        {
          id: ids[0],
          subscription_id: id,
          ticket_id: IDS.ticket,
          topic: 'ticket.state.updated',
          status: 'pending',
          attempts: 0,
          first_sent_at: null,
          last_attempt_at: null,
          last_status: null,
          last_error: null,
          next_attempt_at: expect.stringMatching(/Z$/) as string,
          delivered_at: null,
          created_at: expect.stringMatching(/Z$/) as string,
        },
        {
          id: ids[1],
          subscription_id: id,
          ticket_id: IDS.ticket,
          topic: 'ticket.closed',
          status: 'failed',
          attempts: 11,
          first_sent_at: expect.stringMatching(/Z$/) as string,
          last_attempt_at: expect.stringMatching(/Z$/) as string,
          last_status: 503,
          last_error: 'HTTP 503',
          next_attempt_at: null,
          delivered_at: null,
          created_at: expect.stringMatching(/Z$/) as string,
        },
      ]);
      const failed = await cli(['deliveries', '--workspace', ws.workspaceId, '--failed']);
      expect(
        failed.stdout
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { id: string }).id),
      ).toEqual([ids[1]]);
      expect(await cli(['deliveries', '--workspace', 'nope'])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: '--workspace: workspace "nope" not found\n',
      });
    });

    it('lists past a page (1,000) of notifications', async () => {
      const { id } = await create();
      const many = Array.from({ length: 1001 }, () => ({ subscriptionId: id, topic: 'ticket.closed' }));
      const ids = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, many);
      const all = await cli(['deliveries', '--workspace', ws.workspaceId]);
      expect(
        all.stdout
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { id: string }).id),
      ).toEqual(ids);
    });

    it('queues a failed notification again: due now, the same id, its attempts kept', async () => {
      const { id } = await create();
      const [notificationId] = await queueNotifications(dataSource, ws.workspaceId, IDS.ticket, [
        { subscriptionId: id, topic: 'ticket.closed' },
      ]);
      await db.query(
        `UPDATE webhook_deliveries SET status = 'failed', attempts = 11, next_attempt_at = now() - interval '1 hour',
                first_sent_at = now() - interval '1 day', last_status = 500, last_error = 'HTTP 500'
          WHERE notification_id = $1`,
        [notificationId],
      );
      notices.length = 0;
      const before = Date.now();
      const result = await cli(['redeliver', notificationId]);
      expect(result).toMatchObject({
        code: 0,
        stdout: '',
        stderr: `notification ${notificationId} queued again (attempt 12 is next)\n`,
      });
      const [row] = await deliveryRows(db, ws.workspaceId);
      expect(row).toMatchObject({
        notification_id: notificationId,
        status: 'pending',
        attempts: 11,
        lease_until: null,
      });
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(before - 5_000);
      expect(row.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
      expect(row.first_sent_at!.getTime()).toBeLessThan(before - 3_600_000);
      expect(await noticesAfter()).toEqual([
        {
          channel: 'webhooks_changed',
          payload: JSON.stringify({
            change: 'redelivered',
            workspace_id: ws.workspaceId,
            subscription_id: id,
            notification_id: notificationId,
          }),
        },
        { channel: 'webhook_deliveries', payload: ws.workspaceId },
      ]);
    });

    it('refuses anything but a failed notification of an active subscription, saying what it is', async () => {
      const { id } = await create();
      const [pending, delivered, disabled] = await queueNotifications(
        dataSource,
        ws.workspaceId,
        IDS.ticket,
        [
          { subscriptionId: id, topic: 'ticket.closed' },
          { subscriptionId: id, topic: 'ticket.closed' },
          { subscriptionId: id, topic: 'ticket.closed' },
        ],
      );
      await db.query(
        `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now() WHERE notification_id = $1`,
        [delivered],
      );
      const before = await deliveryRows(db, ws.workspaceId);
      await noticesAfter(100);
      notices.length = 0;
      const refused = async (notificationId: string, message: RegExp) => {
        const result = await cli(['redeliver', notificationId]);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(message);
      };
      await refused(
        pending,
        new RegExp(
          `^notification "${pending}" is pending \\(0 attempt\\(s\\) made, next at .*Z\\): only a failed notification can be redelivered\\n$`,
        ),
      );
      await refused(
        delivered,
        new RegExp(
          `^notification "${delivered}" was delivered \\(at .*Z\\): only a failed notification can be redelivered\\n$`,
        ),
      );
      await refused(
        'notif_00000000-0000-0000-0000-000000000000',
        /^notification "notif_00000000-0000-0000-0000-000000000000" not found\n$/,
      );
      await db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE notification_id = $1`, [
        disabled,
      ]);
      await db.query(
        `UPDATE webhook_subscriptions SET active = false, disabled_reason = 'the receiver answered 410 Gone' WHERE id = $1`,
        [id],
      );
      const after410 = await deliveryRows(db, ws.workspaceId);
      await refused(
        disabled,
        new RegExp(
          `^notification "${disabled}" belongs to subscription ${id}, which is disabled \\(the receiver answered 410 Gone\\): it would not be sent`,
        ),
      );
      expect(await deliveryRows(db, ws.workspaceId)).toEqual(after410);
      expect(after410.filter((row) => row.notification_id !== disabled)).toEqual(
        before.filter((row) => row.notification_id !== disabled),
      );
      expect(await noticesAfter(100)).toEqual([]);
    });
  });
});
