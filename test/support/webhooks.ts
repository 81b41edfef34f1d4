import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { encodeTicketSnapshot } from '../../src/tickets/ticket-snapshot';
import { TicketsRepository } from '../../src/tickets/tickets.repository';
import type { TicketTopic } from '../../src/tickets/notification-topics';
import type { NotificationEnvelope } from '../../src/webhooks/notification-envelope';
import { WebhookSubscriptionsService } from '../../src/webhooks/webhook-subscriptions.service';
import { sleep } from './server-process';

/** One POST a receiver got, as it got it. */
export type Received = {
  /** Date.now() when the request's body had arrived. */
  at: number;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: NotificationEnvelope;
};

/** How the receiver answers a request: a status (with headers and a body), never, or by dropping the socket. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'drop';

export type Receiver = {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections accepted: a refused attempt must not add one. */
  connections: () => number;
  /** How the next requests are answered (the nth request of the receiver, from 0). */
  reply: (answer: (request: Received, n: number) => Reply | Promise<Reply>) => void;
  /** Resolves once `count` requests have arrived; throws after `ms`. */
  waitFor: (count: number, ms: number) => Promise<Received[]>;
  close: () => Promise<void>;
};

/** A real HTTP receiver on 127.0.0.1 (on `port`, or any free one) that records every request and answers as told (200 by default). */
export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let answer: (request: Received, n: number) => Reply | Promise<Reply> = () => ({ status: 200 });
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const request: Received = {
        at: Date.now(),
        headers: req.headers,
        raw,
        body: JSON.parse(raw.toString('utf8')) as NotificationEnvelope,
      };
      const n = received.length;
      received.push(request);
      void Promise.resolve(answer(request, n)).then((reply) => {
        if (reply === 'hang') return;
        if (reply === 'drop') return req.socket.destroy();
        res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/hooks`,
    port: bound,
    received,
    connections: () => connections,
    reply: (next) => {
      answer = next;
    },
    waitFor: async (count, ms) => {
      const started = Date.now();
      while (received.length < count) {
        if (Date.now() - started > ms) {
          throw new Error(`receiver got ${received.length} of ${count} requests within ${ms} ms`);
        }
        await sleep(20);
      }
      return received.slice(0, count);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Checks both signatures of a request with implementations independent of the service's: the
 * `standardwebhooks` package for the Standard Webhooks headers (it throws on a mismatch or a stale timestamp)
 * and node:crypto for X-Hub-Signature. Returns the envelope the package parsed.
 */
export function verifySignatures(request: Received, secret: string): NotificationEnvelope {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
  );
  const parsed = new Webhook(secret).verify(request.raw.toString('utf8'), headers) as NotificationEnvelope;
  const expected = `sha1=${createHmac('sha1', secret).update(request.raw).digest('hex')}`;
  if (request.headers['x-hub-signature'] !== expected) {
    throw new Error(`X-Hub-Signature ${String(request.headers['x-hub-signature'])} is not ${expected}`);
  }
  return parsed;
}

/** A subscription made as `webhook create` makes it (the service the CLI calls). */
export function subscribe(
  dataSource: DataSource,
  workspaceId: string,
  url: string,
  topics: TicketTopic[],
  version?: string,
): Promise<{ id: string; secret: string }> {
  return new WebhookSubscriptionsService(dataSource).create(workspaceId, url, topics, version);
}

/**
 * What the update path's outbox writes for a committed update (until it writes it itself): one event holding the
 * ticket as it is now (encodeTicketSnapshot of the ticket's view, its newest part id, its part count, its
 * updated_at), and one pending delivery per (subscription, topic) given, in that order, ids drawn after the
 * ticket's row lock; then NOTIFY webhook_deliveries, all in one transaction. Returns the notification ids.
 */
export async function queueNotifications(
  dataSource: DataSource,
  workspaceId: string,
  ticketId: string,
  deliveries: { subscriptionId: string; topic: string }[],
): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT 1 FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
      workspaceId,
      ticketId,
    ]);
    const read = await new TicketsRepository().read(manager, workspaceId, ticketId);
    if (!read) throw new Error(`ticket ${ticketId} not found in ${workspaceId}`);
    const rows: { notification_id: string }[] = await manager.query(
      `WITH event AS (
         INSERT INTO webhook_events (workspace_id, ticket_id, ticket, parts_through, total_parts, created_at)
         SELECT $1, $2, $3::jsonb,
                (SELECT max(id) FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2),
                (SELECT count(*) FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2),
                t.updated_at
           FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2
         RETURNING id, created_at
       ), queued AS (
         INSERT INTO webhook_deliveries (workspace_id, notification_id, subscription_id, event_id, ticket_id, topic,
                                         next_attempt_at)
         SELECT $1, 'notif_' || gen_random_uuid(), q.subscription_id, event.id, $2, q.topic, event.created_at
           FROM event, unnest($4::bigint[], $5::text[]) WITH ORDINALITY AS q(subscription_id, topic, ord)
          ORDER BY q.ord
         RETURNING id, notification_id
       )
       SELECT notification_id, pg_notify('webhook_deliveries', '') FROM queued ORDER BY id`,
      [
        workspaceId,
        ticketId,
        encodeTicketSnapshot(read.ticket),
        deliveries.map((delivery) => delivery.subscriptionId),
        deliveries.map((delivery) => delivery.topic),
      ],
    );
    return rows.map((row) => row.notification_id);
  });
}

export type DeliveryRow = {
  id: string;
  notification_id: string;
  subscription_id: string;
  topic: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  first_sent_at: Date | null;
  last_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  lease_until: Date | null;
  leased_by: string | null;
};

/** A workspace's deliveries as stored, in id (commit) order. */
export async function deliveryRows(db: Pool, workspaceId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id::text, notification_id, subscription_id::text, topic, status, attempts, first_sent_at,
            last_attempt_at, last_status, last_error, next_attempt_at, delivered_at, lease_until, leased_by
       FROM webhook_deliveries WHERE workspace_id = $1 ORDER BY webhook_deliveries.id`,
    [workspaceId],
  );
  return rows;
}

/** Polls until every delivery of the workspace has left `pending` (bounded), then returns them. */
export async function settled(db: Pool, workspaceId: string, ms: number): Promise<DeliveryRow[]> {
  const started = Date.now();
  for (;;) {
    const rows = await deliveryRows(db, workspaceId);
    if (rows.length > 0 && rows.every((row) => row.status !== 'pending')) return rows;
    if (Date.now() - started > ms) {
      throw new Error(
        `deliveries still pending after ${ms} ms: ${JSON.stringify(rows.map((r) => r.status))}`,
      );
    }
    await sleep(25);
  }
}
