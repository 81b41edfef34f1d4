/* global process, fetch */
/**
 * Counts the SQL round trips of one update (issue #5, item 3). Run by bench/bench.mjs as a child process
 * (so that the patched driver and the in-process app never touch the load test) with
 * BENCH_DB_URL, BENCH_TOKEN, BENCH_TICKET; prints one JSON object on stdout.
 *
 * `pg`'s Client.prototype.query is wrapped before the compiled service is loaded, so every statement any
 * pool connection sends is seen, TypeORM's START TRANSACTION and COMMIT included. The service (createApp,
 * the real AppModule) and the baseline (bench/baseline-server.mjs) both listen on 127.0.0.1 in this process
 * and get the same requests, one at a time, on the same ticket:
 *   - a no-op `{}` (their two responses must be byte-identical: same rows, same shape);
 *   - a full update: two attributes + state + assignment;
 *   - a state-only update.
 * For each, the statements are recorded; the access-token lookup is counted apart from the update's own.
 * The token is cached after the first request (src/auth/token-cache.ts), so only that one looks it up.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');

let recording = null;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  // A named (prepared) statement is recorded with its name: both sides must prepare the same statements.
  if (recording) {
    recording.push(
      typeof config === 'string'
        ? config
        : `${config?.name ? `/* ${config.name} */ ` : ''}${config?.text ?? '<unknown>'}`,
    );
  }
  return query.call(this, config, ...rest);
};

require('reflect-metadata');
const { createApp } = require('../dist/src/app.factory.js');
const { loadConfig } = require('../dist/src/config/config.js');
const { createBaseline } = await import('./baseline-server.mjs');

const url = process.env.BENCH_DB_URL;
const token = process.env.BENCH_TOKEN;
const ticket = process.env.BENCH_TICKET;
const admins = (process.env.BENCH_ADMINS ?? '').split(',');
const poolSize = Number(process.env.BENCH_POOL_SIZE ?? 10);

const normalize = (sql) => sql.replace(/\s+/g, ' ').trim();
/** What each named statement does, for the report; anything else is shown by its first 80 characters. */
const LABELS = {
  'auth.find_token': 'auth: access-token lookup',
  'tickets.read': 'read: ticket + what the request names + newest 500 parts (one statement)',
  'tickets.write': 'write: ticket + parts + audit row, if still at the version read (one statement)',
  'tickets.write_notifying': 'write with the webhook outbox (one statement)',
  'tickets.lock': 'lock the ticket row (SELECT … FOR UPDATE)',
};
const label = (sql) => {
  const text = normalize(sql);
  const named = /^\/\* ([\w.]+) \*\/ /.exec(text);
  if (named && LABELS[named[1]]) return LABELS[named[1]];
  if (/^START TRANSACTION|^BEGIN/i.test(text)) return 'START TRANSACTION';
  if (/^COMMIT/i.test(text)) return 'COMMIT';
  if (/^ROLLBACK/i.test(text)) return 'ROLLBACK';
  return text.replace(/^\/\* [\w.]+ \*\/ /, '').slice(0, 80);
};

const config = loadConfig({
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
  RATE_LIMIT_PER_10S: '1000000',
  DB_POOL_SIZE: String(poolSize),
  METRICS_ENABLED: process.env.BENCH_METRICS ?? 'true',
});
const app = await createApp({ ...config, databaseUrl: url });
await app.listen(0, '127.0.0.1');
const servicePort = app.getHttpServer().address().port;
const baseline = createBaseline({ databaseUrl: url, poolSize });
await new Promise((resolve) => baseline.server.listen(0, '127.0.0.1', resolve));
const baselinePort = baseline.server.address().port;

async function put(port, body, { method = 'PUT', version = '2.9' } = {}) {
  recording = [];
  const res = await fetch(`http://127.0.0.1:${port}/tickets/${ticket}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'intercom-version': version,
    },
    body: method === 'GET' ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const statements = recording;
  recording = null;
  const labels = statements.map(label);
  const parsed = res.status === 200 ? JSON.parse(text) : null;
  return {
    status: res.status,
    text,
    statements,
    summary: {
      status: res.status,
      roundTrips: statements.length,
      auth: labels.filter((l) => l.startsWith('auth')).length,
      update: labels.filter((l) => !l.startsWith('auth')).length,
      statements: labels,
      totalParts: parsed?.ticket_parts?.total_count ?? null,
    },
  };
}

const result = { service: {}, baseline: {}, sameStatements: {}, noopResponsesIdentical: false, errors: [] };
try {
  // Warm both: the first request on a new pool connection is not representative. It is also the one whose
  // token is not cached yet: recorded as the cold no-op (the token lookup included).
  result.service.coldNoop = (await put(servicePort, {})).summary;
  result.baseline.coldNoop = (await put(baselinePort, {})).summary;

  const serviceNoop = await put(servicePort, {});
  const baselineNoop = await put(baselinePort, {});
  result.noopResponsesIdentical = serviceNoop.status === 200 && serviceNoop.text === baselineNoop.text;
  if (!result.noopResponsesIdentical) {
    result.errors.push(
      `no-op responses differ (service ${serviceNoop.status}, baseline ${baselineNoop.status})`,
    );
  }

  const runs = {
    noop: [serviceNoop, baselineNoop],
    full: [
      await put(servicePort, {
        state: 'in_progress',
        ticket_attributes: { 'Affected users': 90_001, Component: 'search' },
        assignment: { admin_id: admins[0], assignee_id: admins[0] },
      }),
      await put(baselinePort, {
        state: 'resolved',
        ticket_attributes: { 'Affected users': 90_002, Component: 'billing' },
        assignment: { admin_id: admins[0], assignee_id: admins[1] },
      }),
    ],
    stateOnly: [
      await put(servicePort, { state: 'waiting_on_customer' }),
      await put(baselinePort, { state: 'in_progress' }),
    ],
  };
  for (const [name, [service, base]] of Object.entries(runs)) {
    result.service[name] = service.summary;
    result.baseline[name] = base.summary;
    result.sameStatements[name] =
      service.statements.length === base.statements.length &&
      service.statements.every((sql, i) => normalize(sql) === normalize(base.statements[i]));
    if (service.status !== 200) result.errors.push(`service ${name}: HTTP ${service.status} ${service.text}`);
    if (base.status !== 200) result.errors.push(`baseline ${name}: HTTP ${base.status} ${base.text}`);
  }
  // The service alone (the yardstick speaks 2.9's PUT only): GET, and a full update as a 2.14 client sends it.
  const get = await put(servicePort, undefined, { method: 'GET', version: '2.14' });
  result.service.get = get.summary;
  const stateIds = JSON.parse(get.text).ticket_type?.ticket_states?.data ?? [];
  const full214 = await put(
    servicePort,
    {
      ticket_state_id: stateIds.length > 0 ? stateIds[0].id : undefined,
      ticket_attributes: { 'Affected users': 90_003, Component: 'web' },
      admin_id: Number(admins[0]),
      assignee_id: admins[1],
    },
    { version: '2.14' },
  );
  result.service.full214 = full214.summary;
  for (const [name, run] of [
    ['get', get],
    ['full214', full214],
  ]) {
    if (run.status !== 200) result.errors.push(`service ${name}: HTTP ${run.status} ${run.text}`);
  }
  // A full update writes 4 parts (2 attributes, state, assignment); a state-only one writes 1.
  const parts = (r) => r.summary.totalParts;
  result.partsWritten = {
    service: {
      full: parts(runs.full[0]) - parts(runs.noop[1]),
      stateOnly: parts(runs.stateOnly[0]) - parts(runs.full[1]),
    },
    baseline: {
      full: parts(runs.full[1]) - parts(runs.full[0]),
      stateOnly: parts(runs.stateOnly[1]) - parts(runs.stateOnly[0]),
    },
  };
} catch (error) {
  result.errors.push(String(error?.stack ?? error));
} finally {
  await app.close();
  await baseline.close();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
