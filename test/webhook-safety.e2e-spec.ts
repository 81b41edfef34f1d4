import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { testDatabaseUrl, useSeededApp, within } from './support/app';
import { IDS, seedWorkspace } from './support/factories';
import { runNode, sleep } from './support/server-process';
import {
  deliveryRows,
  queueNotifications,
  type Receiver,
  startReceiver,
  subscribe,
} from './support/webhooks';

/**
 * BEHAVIOUR.md §7 "Safety" with NODE_ENV=production and WEBHOOK_ALLOW_PRIVATE_URLS left at its default (false):
 * a literal private address is refused when subscribing, and an attempt whose host is (or resolves to) a private
 * address fails before any connection is made. The receiver listens on 127.0.0.1 and counts connections.
 */
const PREFIX = `whs${randomUUID().slice(0, 6)}_`;

describe('webhook safety in production', () => {
  const ctx = useSeededApp(
    () => seedWorkspace(undefined, undefined, `${PREFIX}${randomUUID().slice(0, 8)}`),
    {
      env: {
        NODE_ENV: 'production',
        WEBHOOK_WORKER_ENABLED: 'true',
        WEBHOOK_WORKER_WORKSPACES: `${PREFIX}*`,
        WEBHOOK_RETRY_SCALE: '0.001',
        WEBHOOK_POLL_INTERVAL_MS: '100',
      },
    },
  );
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  it('`webhook create` refuses a loopback address, writing nothing', async () => {
    const result = await runNode(
      'cli/main.js',
      [
        'webhook',
        'create',
        '--workspace',
        ctx.ws.workspaceId,
        '--url',
        receiver.url,
        '--topics',
        'ticket.closed',
      ],
      { env: { ...process.env, DATABASE_URL: testDatabaseUrl(), NODE_ENV: 'production' } },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^--url: 127\.0\.0\.1 is a loopback, private or otherwise non-public address/,
    );
    const { rows } = await ctx.t.db.query('SELECT 1 FROM webhook_subscriptions WHERE workspace_id = $1', [
      ctx.ws.workspaceId,
    ]);
    expect(rows).toEqual([]);
  });

  it.each([
    ['a name that resolves to loopback at delivery', (port: number) => `http://localhost:${port}/hooks`],
    ['a literal loopback address', (port: number) => `http://127.0.0.1:${port}/hooks`],
    ['loopback inside IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hooks`],
  ])('an attempt to %s fails without connecting', async (_label, url) => {
    // Stored as it would be had it passed at creation (a name is only resolved when delivering).
    const dataSource = ctx.t.app.get(DataSource);
    const { id } = await subscribe(dataSource, ctx.ws.workspaceId, url(receiver.port), ['ticket.closed']);
    await queueNotifications(dataSource, ctx.ws.workspaceId, IDS.ticket, [
      { subscriptionId: id, topic: 'ticket.closed' },
    ]);
    await within(5_000, async () => {
      const [row] = await deliveryRows(ctx.t.db, ctx.ws.workspaceId);
      return row.attempts >= 2;
    });
    const [row] = await deliveryRows(ctx.t.db, ctx.ws.workspaceId);
    expect(row).toMatchObject({ status: 'pending', last_status: null, last_error: 'EPRIVATEADDRESS' });
    await sleep(100);
    expect(receiver.connections()).toBe(0);
    expect(receiver.received).toEqual([]);
  });
});
