import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/config';
import { MetricsServer } from '../src/metrics/metrics.server';
import { IDS, seedWorkspace, ticketRow, ticketState } from './support/factories';
import { putTicket, startApp, type TestApp, testDatabaseUrl, useSeededApp } from './support/app';
import { freePort, tryConnect } from './support/server-process';

/** The value of one sample line, e.g. `http_requests_total{method="PUT",...} 2`. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The metrics listener's own address (METRICS_PORT=0 by default: a port the system chose). */
function metricsUrl(t: TestApp): string {
  const { port } = t.app.get(MetricsServer).address();
  return `http://127.0.0.1:${port}`;
}

async function scrape(t: TestApp): Promise<string> {
  const res = await fetch(`${metricsUrl(t)}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** Writes `wire` on a fresh connection and resolves with the status of what comes back. */
function rawStatus(port: number, wire: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(wire));
    let text = '';
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(wire.slice(0, 60))}`));
    });
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(text.split(' ')[1])));
  });
}

describe('metrics', () => {
  const ctx = useSeededApp(seedWorkspace, { env: { REQUEST_TIMEOUT_MS: '1000' }, seed: 'once' });

  it('counts requests and times them by route and status, with pool and process metrics', async () => {
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).expect(200);
    await putTicket(ctx.t.http, ctx.ws.token, '999999', {}).expect(404);
    await request(ctx.t.http).put(`/tickets/${IDS.ticket}`).expect(401);

    const text = await scrape(ctx.t);
    expect(sample(text, 'http_requests_total', 'method="PUT",route="/tickets/:id",status="200"')).toBe(2);
    expect(sample(text, 'http_requests_total', 'method="PUT",route="/tickets/:id",status="404"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'status="401"')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', 'route="/tickets/:id",status="200"')).toBe(2);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.05",method="PUT",route="\/tickets\/:id",status="200"\} \d/,
    );
    expect(text).toMatch(/^db_pool_max_connections 10$/m);
    expect(text).toMatch(/^db_pool_connections \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // The raw URL never becomes a label (bounded cardinality): the unknown id is not in it.
    expect(text).not.toMatch(/route="[^"]*\d/);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('resolved');
  });

  it('counts the answers given before any route: 413, 431, 400 (no Host, not HTTP), 408, 417', async () => {
    await ctx.t.app.listen(0, '127.0.0.1');
    const port = (ctx.t.http.address() as AddressInfo).port;
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const put = `PUT /tickets/${IDS.ticket} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n`;
    expect([
      await rawStatus(port, `${put}Content-Length: 200000000\r\n\r\n`),
      await rawStatus(port, `${put}X-Padding: ${'x'.repeat(20_000)}\r\n\r\n`),
      await rawStatus(port, `${put}${'x-many: 0123456789\r\n'.repeat(1_000)}\r\n`),
      await rawStatus(port, `PUT /tickets/${IDS.ticket} HTTP/1.1\r\nContent-Length: 0\r\n\r\n`),
      await rawStatus(port, 'NOT HTTP AT ALL\r\n\r\n'),
      await rawStatus(port, `${put}Content-Length: 5\r\n\r\n{`), // REQUEST_TIMEOUT_MS=1000
      await rawStatus(port, `${put}Expect: bogus\r\nContent-Length: 0\r\n\r\n`),
    ]).toEqual([413, 431, 431, 400, 400, 408, 417]);

    const text = await scrape(ctx.t);
    // Answered by the request hooks or the body reader, which run once Fastify has routed the request: counted
    // and timed under the route.
    const route = 'method="PUT",route="/tickets/:id"';
    expect(sample(text, 'http_requests_total', `${route},status="413"`)).toBe(1);
    expect(sample(text, 'http_requests_total', `${route},status="408"`)).toBe(1);
    expect(sample(text, 'http_requests_total', `${route},status="400"`)).toBe(1);
    expect(sample(text, 'http_requests_total', `${route},status="431"`)).toBe(1);
    // Answered by node:http's parser or its events, outside Fastify: counted under "(unrouted)".
    expect(sample(text, 'http_requests_total', 'method="(unparsed)",route="(unrouted)",status="431"')).toBe(
      1,
    );
    expect(sample(text, 'http_requests_total', 'method="(unparsed)",route="(unrouted)",status="400"')).toBe(
      1,
    );
    expect(sample(text, 'http_requests_total', 'method="PUT",route="(unrouted)",status="417"')).toBe(1);
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('is served only on its own listener, without a token; the API port answers 404', async () => {
    const res = await request(ctx.t.http).get('/metrics').expect(404);
    expect(res.body).toMatchObject({ type: 'error.list', errors: [{ code: 'not_found' }] });
    const other = await fetch(`${metricsUrl(ctx.t)}/anything`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ type: 'error.list', errors: [{ code: 'not_found' }] });
  });
});

describe('METRICS_PORT / METRICS_HOST', () => {
  it('listens where told, and closes with the application', async () => {
    const port = await freePort();
    const t = await startApp({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' });
    try {
      expect(t.app.get(MetricsServer).address()).toMatchObject({ address: '127.0.0.1', port });
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^process_resident_memory_bytes \d+/m);
    } finally {
      await t.close();
    }
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('a port in use stops the start with a message naming METRICS_PORT', async () => {
    const first = await startApp();
    const { port } = first.app.get(MetricsServer).address();
    const config = loadConfig({ LOG_LEVEL: 'fatal', METRICS_PORT: String(port) });
    try {
      await expect(createApp({ ...config, databaseUrl: testDatabaseUrl() })).rejects.toThrow(
        `METRICS_PORT ${port} is already in use on 127.0.0.1 (METRICS_PORT=0 picks a free port)`,
      );
    } finally {
      await first.close();
    }
  });
});

describe('METRICS_ENABLED=false', () => {
  it('opens no metrics listener and serves no /metrics route', async () => {
    const t = await startApp({ METRICS_ENABLED: 'false' });
    try {
      const res = await request(t.http).get('/metrics').expect(404);
      expect(res.body).toMatchObject({ type: 'error.list', errors: [{ code: 'not_found' }] });
    } finally {
      await t.close();
    }
  });
});
