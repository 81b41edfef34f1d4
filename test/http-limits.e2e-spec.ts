import { connect, type Socket } from 'node:net';
import { IDS, seedWorkspace, ticketRow, ticketState, ticketVersion } from './support/factories';
import { testDatabaseUrl, useSeededApp } from './support/app';
import { type ServerProcess, spawnServer, tryConnect } from './support/server-process';

/** What a raw socket got back: the first response, when the server closed, what the client managed to send. */
type RawReply = {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Every byte the server sent (a 100 Continue, then the answer). */
  text: string;
  /** ms from connect until the first response byte / until the connection closed. */
  answeredAfter: number;
  closedAfter: number;
  /** The client's upload had not been fully written when the connection closed. */
  cutOff: boolean;
};

type RawOptions = {
  /** Written at connect. */
  head: string;
  /** Written after the head in one write (so the client's socket sends it as fast as the server reads). */
  upload?: Buffer;
  /** Written one byte at a time, every `trickleMs`. */
  trickle?: string;
  trickleMs?: number;
  /** Sent once the server's first bytes (a 100 Continue) arrive. */
  afterContinue?: string;
  limitMs?: number;
};

/** One request on a fresh connection, written byte by byte as given; bounded by `limitMs`. */
function raw(port: number, options: RawOptions): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let answeredAfter = -1;
    let cutOff = false;
    let continued = false;
    let trickler: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.limitMs ?? 10_000} ms; got ${JSON.stringify(text)}`));
    }, options.limitMs ?? 10_000);
    socket.setEncoding('latin1');
    socket.on('connect', () => {
      socket.write(options.head);
      if (options.upload) {
        socket.write(options.upload, (error) => {
          if (error) cutOff = true;
        });
      }
      if (options.trickle) {
        let i = 0;
        trickler = setInterval(() => {
          if (i < options.trickle!.length && socket.writable) socket.write(options.trickle![i++]);
        }, options.trickleMs ?? 100);
      }
    });
    socket.on('data', (chunk: string) => {
      if (answeredAfter < 0) answeredAfter = Date.now() - started;
      text += chunk;
      if (options.afterContinue && !continued && text.includes('\r\n\r\n')) {
        continued = true;
        socket.write(options.afterContinue);
      }
    });
    // The server may reset the connection once it has answered (the rest of the upload is never read).
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearInterval(trickler);
      const final = text.startsWith('HTTP/1.1 100') ? text.slice(text.indexOf('\r\n\r\n') + 4) : text;
      const [head, ...rest] = final.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const bodyText = rest.join('\r\n\r\n');
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // not JSON: left as text for the assertion to show
      }
      resolve({
        status: Number(lines[0].split(' ')[1] ?? 0),
        headers,
        body,
        text,
        answeredAfter,
        closedAfter: Date.now() - started,
        cutOff,
      });
    });
  });
}

function errorList(reply: RawReply, code: string, message: string | RegExp, field?: string) {
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.body).toEqual({
    type: 'error.list',
    request_id: reply.headers['x-request-id'],
    errors: [
      {
        code,
        message: typeof message === 'string' ? message : expect.stringMatching(message),
        ...(field ? { field } : {}),
      },
    ],
  });
  expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
}

/**
 * `status` with that error.list and Connection: close, answered (not before `notBefore`) and closed within
 * `within` ms of the first byte sent.
 */
function expectRefused(
  reply: RawReply,
  status: number,
  code: string,
  message: string,
  timing: { notBefore?: number; within: number },
) {
  expect(reply.status).toBe(status);
  errorList(reply, code, message);
  expect(reply.headers.connection).toBe('close');
  if (timing.notBefore !== undefined) expect(reply.answeredAfter).toBeGreaterThanOrEqual(timing.notBefore);
  expect(reply.answeredAfter).toBeLessThan(timing.within);
  expect(reply.closedAfter).toBeLessThan(timing.within);
}

const put = (token: string | undefined, headers: string) =>
  `PUT /tickets/${IDS.ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
  (token ? `Authorization: Bearer ${token}\r\nIntercom-Version: 2.9\r\n` : '') +
  headers;

describe('oversized bodies are refused without being read', () => {
  const ctx = useSeededApp(seedWorkspace, { listen: true });
  /** Bytes the server read from each connection (request head and body), once it is closed. */
  const readBy: Socket[] = [];

  beforeAll(() => {
    ctx.t.http.on('connection', (socket: Socket) => readBy.push(socket));
  });
  beforeEach(() => {
    readBy.length = 0;
  });

  it('a declared 200 MB Content-Length gets 413 at once, with the limit, and the connection is closed', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const reply = await raw(ctx.port, {
      head: put(undefined, 'Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n{"state":'),
      limitMs: 5_000,
    });
    // Having sent 9 bytes of the 200 MB: the answer and the close come from the headers alone.
    expectRefused(
      reply,
      413,
      'request_entity_too_large',
      'Request body is too large: the limit is 1048576 bytes',
      {
        within: 2_000,
      },
    );
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('a chunked upload is cut off just past the limit while the client is still sending', async () => {
    const version = await ticketVersion(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    // 20 MB in 64 KiB chunks, handed to the socket in one write: it sends as fast as the server reads.
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
    const upload = Buffer.concat([...Array.from({ length: 320 }, () => chunk), Buffer.from('0\r\n\r\n')]);
    const reply = await raw(ctx.port, {
      head: put(ctx.ws.token, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'),
      upload,
      limitMs: 20_000,
    });
    // The server stopped reading near the limit (1 MiB) and closed before the client could send it all.
    const bytesRead = readBy.reduce((sum, socket) => sum + socket.bytesRead, 0);
    expect({ status: reply.status, cutOff: reply.cutOff }).toEqual({ status: 413, cutOff: true });
    expect(bytesRead).toBeGreaterThan(1024 * 1024);
    expect(bytesRead).toBeLessThan(2 * 1024 * 1024);
    errorList(reply, 'request_entity_too_large', 'Request body is too large: the limit is 1048576 bytes');
    expect(reply.headers.connection).toBe('close');
    expect(await ticketVersion(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toBe(version);
  });

  it('Expect: 100-continue gets 100 Continue, then the real answer', async () => {
    const body = '{"state":"resolved"}';
    const reply = await raw(ctx.port, {
      head: put(
        ctx.ws.token,
        // Connection: close only so that the answer ends the exchange (instead of keep-alive's 5 s).
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n` +
          'Connection: close\r\n\r\n',
      ),
      afterContinue: body,
    });
    expect(reply.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(reply.body).toMatchObject({ type: 'ticket', id: IDS.ticket, ticket_state: 'resolved' });
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('resolved');
  });

  it('Expect: 100-continue with a declared oversized body gets the 413 instead of a 100', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const reply = await raw(ctx.port, {
      head: put(ctx.ws.token, 'Content-Length: 200000000\r\nExpect: 100-continue\r\n\r\n'),
      limitMs: 5_000,
    });
    expect(reply.text).toMatch(/^HTTP\/1\.1 413 /);
    errorList(reply, 'request_entity_too_large', /the limit is 1048576 bytes/);
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});

describe('every answer of the HTTP layer is an error.list', () => {
  const ctx = useSeededApp(seedWorkspace, { listen: true });

  it('HTTP/1.1 without Host → 400 on Host, and nothing written', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const body = '{"state":"resolved"}';
    const reply = await raw(ctx.port, {
      head:
        `PUT /tickets/${IDS.ticket} HTTP/1.1\r\nAuthorization: Bearer ${ctx.ws.token}\r\nIntercom-Version: 2.9\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    });
    expect(reply.status).toBe(400);
    errorList(reply, 'parameter_invalid', 'An HTTP/1.1 request must carry a Host header', 'Host');
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('two Host headers → 400; HTTP/1.0 without Host is served', async () => {
    const twice = await raw(ctx.port, { head: 'GET /health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' });
    expect(twice.status).toBe(400);
    errorList(twice, 'parameter_invalid', 'A request must carry a single Host header', 'Host');
    const old = await raw(ctx.port, { head: 'GET /health/live HTTP/1.0\r\n\r\n' });
    expect(old.status).toBe(200);
  });

  it('Expect: bogus → 417 expectation_failed, and nothing written', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const reply = await raw(ctx.port, {
      head: put(
        ctx.ws.token,
        'Content-Type: application/json\r\nContent-Length: 2\r\nExpect: bogus\r\n\r\n{}',
      ),
    });
    expect(reply.status).toBe(417);
    errorList(
      reply,
      'expectation_failed',
      'The only supported expectation is "Expect: 100-continue"',
      'Expect',
    );
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('headers over 16 KiB → 431, whether one huge header or many small ones', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const small = (count: number, size: number) =>
      Array.from({ length: count }, (_, i) => `x-h${i}: ${'v'.repeat(size - 8 - String(i).length)}\r\n`).join(
        '',
      );
    const tooLarge = /^Request headers are too large: the limit is 16384 bytes/;
    const replies: RawReply[] = [];
    for (const headers of [
      `X-Padding: ${'x'.repeat(20_000)}\r\n`,
      small(350, 100), // 35 KB of ~100-byte headers
      // 23 KB of 11-byte headers, of which node:http counts only the 15 KB of names and values
      small(2_100, 12),
    ]) {
      const head = put(
        ctx.ws.token,
        `${headers}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      );
      replies.push(await raw(ctx.port, { head }));
    }
    expect(replies.map((reply) => reply.status)).toEqual([431, 431, 431]);
    for (const reply of replies) errorList(reply, 'request_header_fields_too_large', tooLarge);
    // Just under the limit is served.
    const fits = await raw(ctx.port, {
      head: put(ctx.ws.token, `${small(140, 100)}Connection: close\r\nContent-Length: 2\r\n\r\n{}`),
    });
    expect(fits.status).toBe(200);
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});

describe('REQUEST_TIMEOUT_MS is the real limit for slow clients', () => {
  const logLines: string[] = [];
  const ctx = useSeededApp(seedWorkspace, {
    env: { REQUEST_TIMEOUT_MS: '2000', LOG_LEVEL: 'info' },
    logDestination: { write: (line: string) => void logLines.push(line) },
    listen: true,
  });

  it('headers trickled byte by byte → 408 error.list after 2 s, not ~30 s', async () => {
    const reply = await raw(ctx.port, {
      head: `PUT /tickets/${IDS.ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
      trickle: `X-Slow: ${'s'.repeat(200)}\r\n\r\n`,
      trickleMs: 100,
      limitMs: 10_000,
    });
    expect(reply.status).toBe(408);
    errorList(reply, 'request_timeout', 'The request was not received within 2000 ms');
    expect(reply.answeredAfter).toBeGreaterThanOrEqual(1_900);
    expect(reply.answeredAfter).toBeLessThan(3_500);
    expect(reply.closedAfter).toBeLessThan(3_500);
  });

  it('a body trickled byte by byte → 408 error.list after 2 s, and nothing written', async () => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const body = `{"state":"resolved","ticket_attributes":{"_default_title_":"${'t'.repeat(100)}"}}`;
    const reply = await raw(ctx.port, {
      head: put(ctx.ws.token, `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`),
      trickle: body,
      trickleMs: 100,
      limitMs: 10_000,
    });
    expectRefused(reply, 408, 'request_timeout', 'The request was not received within 2000 ms', {
      notBefore: 1_900,
      within: 3_500,
    });
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    // One request log line with the 408, and no error logged for the body reader that the timeout cut off.
    const logged = logLines.map((line) => JSON.parse(line) as { level: number; res?: { status: number } });
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
    expect(logged.filter((line) => line.res?.status === 408)).toHaveLength(1);
  });
});

describe('the compiled server', () => {
  let server: ServerProcess | undefined;
  afterEach(() => server?.kill());

  it('logs the addresses it actually bound (PORT=0, METRICS_PORT=0), serving /metrics only on the second', async () => {
    server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: '0',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      DEMO_DATA: 'false',
    });
    await server.waitForStdout('listening on http://', 30_000);
    await server.waitForStdout('metrics on http://', 1_000);
    const api = /listening on http:\/\/127\.0\.0\.1:(\d+)"/.exec(server.stdout());
    const metrics = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics"/.exec(server.stdout());
    expect({ api: Number(api?.[1]) > 0, metrics: Number(metrics?.[1]) > 0 }).toEqual({
      api: true,
      metrics: true,
    });
    const [apiPort, metricsPort] = [Number(api![1]), Number(metrics![1])];
    expect((await fetch(`http://127.0.0.1:${apiPort}/health/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${apiPort}/metrics`)).status).toBe(404);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(
      /^http_requests_total\{method="GET",route="\/health\/live",status="200"\} 1$/m,
    );
    server.child.kill('SIGTERM');
    expect(await server.exit(20_000)).toEqual({ code: 0, signal: null });
    // Graceful shutdown closed the metrics listener with the application.
    expect(await tryConnect(metricsPort)).toBe('ECONNREFUSED');
  });
});
