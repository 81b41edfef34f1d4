/* global process, console, fetch, URL, setTimeout, clearTimeout, setInterval, clearInterval */
/**
 * `npm run bench` (issue #5): throughput and latency of PUT /tickets/:id, the service against a yardstick.
 *
 *  1. A fresh database (a new database on BENCH_DATABASE_URL's / DATABASE_URL's server, or the embedded
 *     PostgreSQL in a temporary directory), migrated, with a generated workspace: BENCH_TICKETS (10,000)
 *     tickets of one type with 8 attributes, 0–20 parts each, every 33rd ticket 500–600 parts
 *     (bench/bench-workspace.mjs).
 *  2. SQL round trips of one update, counted in-process (bench/round-trips.mjs).
 *  3. The compiled service (`node dist/src/main.js`) and the baseline (bench/baseline-server.mjs, a bare
 *     node:http + pg handler issuing the same SQL — a yardstick, never served) as child processes, each
 *     warmed up for BENCH_INITIAL_WARMUP_SECONDS (10) with mixed requests.
 *  4. Per scenario and per process: a BENCH_WARMUP_SECONDS (3) warm-up, then BENCH_SECONDS (15) measured,
 *     BENCH_CONNECTIONS (32) connections, the order of the two processes alternating between scenarios:
 *       (a) state + attribute updates spread over all tickets;
 *       (b) the same updates on one hot ticket (one per process, identical at the start);
 *       (c) the same updates on tickets with 500+ parts;
 *       (d) no-op updates (`{}`) spread over all tickets.
 *     BENCH_SCENARIOS (a,b,c,d) picks some. (a), whose ratio is a target, runs BENCH_ROUNDS (3) rounds,
 *     alternating which process goes first; each side's median round and the median ratio are reported.
 *  5. BENCH_SCALE (default on; 0 turns it off): (a) again (BENCH_ROUNDS rounds), then the workspace grows to
 *     BENCH_SCALE_TICKETS (1,000,000) tickets with one INSERT … SELECT generate_series, VACUUM (ANALYZE) and
 *     CHECKPOINT, and (a) BENCH_ROUNDS rounds more (baseline first): medians compared, adjacent in time.
 *  6. Two tables, the round trips, the targets met or not, and bench/results.json. Children stopped,
 *     database removed.
 *
 * Also: BENCH_POOL_SIZE (10, both processes), BENCH_METRICS (true: the production default),
 * BENCH_SEED_PARTS=sql (bulk-insert the big tickets' parts), BENCH_CPU_PROF_DIR (the service writes a V8 CPU
 * profile there, and the yardstick one of its own; `npm run bench:layers -- <dir>` breaks them down by layer),
 * BENCH_SERVICE_NODE_ARGS (node options for the service that NODE_OPTIONS refuses), BENCH_WEBHOOK_WORKER=false
 * ((e) without the in-process webhook worker: the outbox's writes alone), BENCH_SERVICE_NODE_OPTIONS (NODE_OPTIONS for the service instead of package.json's
 * config.nodeOptions; empty: V8's default heap sizing).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort, freshDatabase } from './bench-database.mjs';
import {
  cpuPressure,
  cpuSeconds,
  mainThreadCpuSeconds,
  rssBytes,
  rssSampler,
  runLoad,
} from './bench-load.mjs';
import {
  ADMIN_ID,
  HOT_BASELINE_TICKET,
  HOT_SERVICE_TICKET,
  OTHER_ADMIN_ID,
  PROBE_TICKET,
  WORKSPACE_ID,
  growWorkspace,
  seedWorkspace,
} from './bench-workspace.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
/** The service's node flags, as `npm start` and docker-entrypoint.sh apply them. */
const SERVICE_NODE_OPTIONS = require('../package.json').config.nodeOptions;
/** Every webhook topic (scenario (e)). */
const { TICKET_TOPICS } = require('../dist/src/tickets/notification-topics.js');
const RESULTS = join(HERE, 'results.json');
/** The service's (b) before issue #13 on this machine, for the "(b) no worse" target. */
const REFERENCE = (() => {
  try {
    return JSON.parse(readFileSync(join(HERE, 'reference.json'), 'utf8'));
  } catch {
    return null;
  }
})();
const MiB = 1024 * 1024;

const settings = {
  serviceNodeOptions: process.env.BENCH_SERVICE_NODE_OPTIONS ?? SERVICE_NODE_OPTIONS,
  seconds: integer('BENCH_SECONDS', 15),
  rounds: integer('BENCH_ROUNDS', 3),
  warmupSeconds: integer('BENCH_WARMUP_SECONDS', 3),
  initialWarmupSeconds: integer('BENCH_INITIAL_WARMUP_SECONDS', 10),
  connections: integer('BENCH_CONNECTIONS', 32),
  tickets: integer('BENCH_TICKETS', 10_000),
  scale: process.env.BENCH_SCALE !== '0',
  scaleTickets: integer('BENCH_SCALE_TICKETS', 1_000_000),
  poolSize: integer('BENCH_POOL_SIZE', 10),
  // The production default (METRICS_ENABLED=true): the service is measured as deployed.
  metrics: process.env.BENCH_METRICS === 'false' ? 'false' : 'true',
  // (e) with the service's in-process webhook worker (the default) or without it (BENCH_WEBHOOK_WORKER=false):
  // without, (e) prices the outbox's writes alone, and nothing is delivered.
  webhookWorker: process.env.BENCH_WEBHOOK_WORKER === 'false' ? 'false' : 'true',
  seedParts: process.env.BENCH_SEED_PARTS === 'sql' ? 'sql' : 'import',
  scenarios: (process.env.BENCH_SCENARIOS || 'a,b,c,d,e').split(',').map((key) => key.trim()),
};
if (settings.tickets < 100) throw new Error('BENCH_TICKETS must be at least 100');
if (settings.seconds < 1) throw new Error('BENCH_SECONDS must be at least 1');

const SCENARIOS = [
  { key: 'a', name: '(a) many tickets', description: 'state + attribute update, random ticket among all' },
  { key: 'b', name: '(b) one hot ticket', description: 'state + attribute update, one ticket per process' },
  {
    key: 'c',
    name: '(c) 500+ parts',
    description: 'state + attribute update, random ticket with 500–600 parts',
  },
  { key: 'd', name: '(d) no-op', description: '`{}`, random ticket among all' },
  {
    key: 'e',
    name: '(e) outbox',
    description:
      "(a)'s updates on the service only, with and without one webhook subscription to every topic (issue #12)",
  },
];

const cleanups = [];
let interrupted = false;

function log(line) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main() {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  log(`settings: ${JSON.stringify(settings)}`);

  const database = await freshDatabase(log);
  cleanups.push(() => database.dispose());
  const db = new pg.Pool({ connectionString: database.url, max: 1 });
  cleanups.unshift(() => db.end());
  const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version;
  log(`database: ${database.description} (PostgreSQL ${pgVersion})`);

  log(`seeding ${settings.tickets} tickets (parts of big tickets via ${settings.seedParts})…`);
  const seed = await seedWorkspace(database.url, { tickets: settings.tickets, bigParts: settings.seedParts });
  log(
    `seeded ${seed.tickets} tickets, ${seed.parts} parts, ${seed.big.length} tickets with 500+ parts ` +
      `(import ${(seed.importMs / 1000).toFixed(1)} s` +
      (seed.bigParts === 'sql' ? `, SQL bulk ${(seed.bulkMs / 1000).toFixed(1)} s)` : ')'),
  );

  log('counting SQL round trips (service and baseline in-process, one request at a time)…');
  const roundTrips = await countRoundTrips(database.url, seed.token);
  if (roundTrips.errors.length > 0)
    throw new Error(`round-trip count failed:\n${roundTrips.errors.join('\n')}`);

  const partsOf = async (id) =>
    (
      await db.query(
        'SELECT count(*)::int AS n FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2',
        [WORKSPACE_ID, id],
      )
    ).rows[0].n;

  // CPU seconds used so far by each backend of this database (this bench's own connection excluded), read
  // from /proc: null when PostgreSQL runs on another machine.
  const localDatabase = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(database.url).hostname);
  const postgresCpu = async () => {
    if (!localDatabase) return null;
    const { rows } = await db.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const used = new Map();
    for (const { pid } of rows) {
      const seconds = cpuSeconds(pid);
      if (seconds !== null) used.set(pid, seconds);
    }
    return rows.length > 0 && used.size === 0 ? null : used;
  };
  // Backends that started during the run count in full; those that ended are lost (the pools keep theirs).
  const postgresCpuDelta = (before, after) => {
    if (before === null || after === null) return null;
    let total = 0;
    for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
    return total;
  };

  // BENCH_CPU_PROF_DIR: the service writes a V8 CPU profile (.cpuprofile) there when it stops.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  // BENCH_SERVICE_NODE_ARGS: node options for the service that NODE_OPTIONS refuses (e.g. --single-threaded-gc).
  const serviceArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const service = await startChild(
    'service',
    [...profile, ...serviceArgs, join(ROOT, 'dist', 'src', 'main.js')],
    {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      NODE_ENV: 'production',
      RATE_LIMIT_PER_10S: '1000000',
      METRICS_ENABLED: settings.metrics,
      DB_POOL_SIZE: String(settings.poolSize),
      DEMO_DATA: 'false',
      // Scenario (e)'s receiver listens on 127.0.0.1, which production refuses by default (BEHAVIOUR.md §7).
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_WORKER_ENABLED: settings.webhookWorker,
      // As `npm start` and the image run it (package.json "config.nodeOptions"); BENCH_SERVICE_NODE_OPTIONS
      // replaces it, e.g. with an empty value to see what V8's default heap sizing does to RSS and CPU.
      NODE_OPTIONS: settings.serviceNodeOptions,
    },
  );
  // BENCH_CPU_PROF_DIR profiles the yardstick too (its own file, by pid), to compare the two layer by layer.
  const baseline = await startChild('baseline', [...profile, join(HERE, 'baseline-server.mjs')], {
    DATABASE_URL: database.url,
    NODE_ENV: 'production',
    DB_POOL_SIZE: String(settings.poolSize),
  });
  const targets = { service, baseline };
  // Each measured run's time window on the monotonic clock a .cpuprofile uses, with its request count, so that
  // bench/profile-layers.mjs can attribute a profile's samples to one scenario's requests.
  const windows = [];
  // RSS over the whole run (every scenario, warm-ups and the scale step included).
  const wholeRun = { service: rssSampler(service.pid), baseline: rssSampler(baseline.pid) };
  // RSS once a second with what was running, for results.json: a leak climbs, a heap settling levels off.
  const timeline = [];
  let phase = 'idle';
  const timelineStart = Date.now();
  const timelineTimer = setInterval(() => {
    timeline.push({
      t: Math.round((Date.now() - timelineStart) / 1000),
      phase,
      serviceMiB: mib(rssBytes(service.pid)),
      baselineMiB: mib(rssBytes(baseline.pid)),
    });
  }, 1000);
  timelineTimer.unref();
  const loadSeconds = { service: 0, baseline: 0 };

  // Request generators. States are tracked so that every update really changes the state (a toggle through
  // the settable states) and the attribute value is always new: 2 parts per update.
  const states = seed.states;
  const SETTABLE = ['in_progress', 'waiting_on_customer', 'resolved'];
  let counter = 1_000_000;
  const update = (id) => {
    const state = SETTABLE[(SETTABLE.indexOf(states[id]) + 1) % SETTABLE.length];
    states[id] = state;
    return {
      path: `/tickets/${id}`,
      body: JSON.stringify({ state, ticket_attributes: { 'Affected users': counter++ } }),
    };
  };
  // Tickets 1 and 2 are the hot tickets of (b), kept out of every other scenario so that both start equal.
  const anyTicket = () => 3 + Math.floor(Math.random() * (settings.tickets - 2));
  const bigTicket = () => seed.big[Math.floor(Math.random() * seed.big.length)];
  const requestsFor = (key, who) => {
    switch (key) {
      case 'a':
        return () => update(anyTicket());
      case 'b': {
        const hot = who === 'service' ? HOT_SERVICE_TICKET : HOT_BASELINE_TICKET;
        return () => update(hot);
      }
      case 'c':
        return () => update(bigTicket());
      case 'd':
        return () => ({ path: `/tickets/${anyTicket()}`, body: '{}' });
    }
    throw new Error(`unknown scenario ${key}`);
  };

  async function measure(key, who, label = key, { afterWarmup } = {}) {
    const target = targets[who];
    phase = `${label} ${who}`;
    const makeRequest = requestsFor(key, who);
    const common = { port: target.port, token: seed.token, connections: settings.connections, makeRequest };
    if (settings.warmupSeconds > 0) await runLoad({ ...common, seconds: settings.warmupSeconds });
    await afterWarmup?.();
    const sampler = rssSampler(target.pid);
    const cpuBefore = cpuSeconds(target.pid);
    const mainBefore = mainThreadCpuSeconds(target.pid);
    const pgBefore = await postgresCpu();
    const startUs = monotonicMicros();
    const result = await runLoad({ ...common, seconds: settings.seconds });
    const endUs = monotonicMicros();
    const cpuAfter = cpuSeconds(target.pid);
    const mainAfter = mainThreadCpuSeconds(target.pid);
    const pgAfter = await postgresCpu();
    const rss = sampler.stop();
    // CPU milliseconds per request of the server process and of PostgreSQL's backends for this database:
    // much less sensitive to a busy machine than requests/s.
    const perRequest = (seconds) =>
      seconds === null || result.requests === 0 ? null : round((seconds * 1000) / result.requests, 3);
    const cpuMsPerRequest = perRequest(cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore);
    const pgCpuMsPerRequest = perRequest(postgresCpuDelta(pgBefore, pgAfter));
    const mainThreadCpuMsPerRequest = perRequest(
      mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore,
    );
    windows.push({
      label,
      who,
      pid: target.pid,
      startUs,
      endUs,
      requests: result.requests,
      cpuMsPerRequest,
      mainThreadCpuMsPerRequest,
    });
    loadSeconds[who] += settings.warmupSeconds + result.seconds;
    phase = 'idle';
    if (interrupted) throw new Error('interrupted');
    if (!target.alive()) throw new Error(`${who} exited during scenario ${key}\n${target.output()}`);
    return {
      ...result,
      cpuMsPerRequest,
      pgCpuMsPerRequest,
      cpuPressure: cpuPressure(),
      rssMaxMiB: mib(rss.max),
      rssEndMiB: mib(rss.end),
    };
  }

  // JIT warm-up, not measured: a mix of (a), (c) and (d) requests on each process.
  const rssAtStart = { service: mib(rssBytes(service.pid)), baseline: mib(rssBytes(baseline.pid)) };
  if (settings.initialWarmupSeconds > 0) {
    for (const who of ['service', 'baseline']) {
      phase = `warm-up ${who}`;
      log(`initial warm-up: ${who} (${settings.initialWarmupSeconds} s, mixed (a)/(c)/(d) requests)…`);
      const [a, c, d] = ['a', 'c', 'd'].map((key) => requestsFor(key, who));
      const mixed = () => {
        const pick = Math.random();
        return pick < 0.6 ? a() : pick < 0.8 ? c() : d();
      };
      const warm = await runLoad({
        port: targets[who].port,
        token: seed.token,
        connections: settings.connections,
        seconds: settings.initialWarmupSeconds,
        makeRequest: mixed,
      });
      loadSeconds[who] += warm.seconds;
      phase = 'idle';
      if (warm.errors > 0)
        log(`  ${who}: ${warm.errors} errors during the warm-up (${JSON.stringify(warm.statuses)})`);
    }
  }

  /**
   * Runs scenario `key` on both servers `rounds` times, alternating which goes first (ABBA…), and keeps each
   * side's median round (by req/s) plus every round: on a shared 2-core machine one 10-s run can be 20–30% off,
   * so the targets are judged on medians. `ratio` is the median of the per-round ratios (each round's two runs
   * are adjacent in time).
   */
  async function measureRounds(key, label, rounds, first) {
    const runs = { service: [], baseline: [] };
    const ratios = [];
    for (let round = 0; round < rounds; round++) {
      const order =
        (round % 2 === 0) === (first === 'service') ? ['service', 'baseline'] : ['baseline', 'service'];
      for (const who of order) {
        const which = rounds > 1 ? ` round ${round + 1}/${rounds}` : '';
        log(`${label}: ${who}${which} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)…`);
        const result = await measure(key, who, label);
        runs[who].push(result);
        log(`  ${who}: ${result.rps} req/s, p99 ${result.p99} ms, errors ${result.errors}`);
      }
      ratios.push(ratio(runs.service.at(-1).rps, runs.baseline.at(-1).rps));
    }
    const medianRun = (list) => [...list].sort((x, y) => x.rps - y.rps)[Math.floor((list.length - 1) / 2)];
    const entry = { service: medianRun(runs.service), baseline: medianRun(runs.baseline) };
    entry.ratio = median(ratios);
    if (rounds > 1) {
      const brief = (x) => ({
        rps: x.rps,
        p99: x.p99,
        cpuMsPerRequest: x.cpuMsPerRequest,
        pgCpuMsPerRequest: x.pgCpuMsPerRequest,
      });
      entry.rounds = { ratios, service: runs.service.map(brief), baseline: runs.baseline.map(brief) };
    }
    entry.cpuBoundRatio = cpuBoundRatio(entry);
    return entry;
  }

  const scenarios = {};
  const measuredScenarios = SCENARIOS.filter((s) => s.key !== 'e' && settings.scenarios.includes(s.key));
  for (const [index, scenario] of measuredScenarios.entries()) {
    const first = index % 2 === 0 ? 'service' : 'baseline';
    const hotTickets =
      scenario.key === 'b'
        ? {
            service: { id: HOT_SERVICE_TICKET, partsBefore: await partsOf(HOT_SERVICE_TICKET) },
            baseline: { id: HOT_BASELINE_TICKET, partsBefore: await partsOf(HOT_BASELINE_TICKET) },
          }
        : undefined;
    const rounds = scenario.key === 'a' ? settings.rounds : 1;
    const measured = await measureRounds(scenario.key, scenario.name, rounds, first);
    const entry = { name: scenario.name, description: scenario.description, first, ...measured };
    if (hotTickets) {
      hotTickets.service.partsAfter = await partsOf(HOT_SERVICE_TICKET);
      hotTickets.baseline.partsAfter = await partsOf(HOT_BASELINE_TICKET);
      entry.hotTickets = hotTickets;
    }
    scenarios[scenario.key] = entry;
  }

  // (e) The outbox's cost (issue #12): (a)'s updates on the service, with one subscription to every topic and
  // without, alternating (ABBA) so both see the same tickets at the same sizes.
  let outbox = null;
  if (settings.scenarios.includes('e')) outbox = await measureOutbox();

  async function measureOutbox() {
    const receiver = await startReceiver();
    cleanups.unshift(() => receiver.close());
    const subscription = await createSubscription(database.url, `http://127.0.0.1:${receiver.port}/hooks`);
    const setActive = (active) =>
      db.query('UPDATE webhook_subscriptions SET active = $2 WHERE workspace_id = $1 AND id = $3', [
        WORKSPACE_ID,
        active,
        subscription.id,
      ]);
    const queued = async () =>
      Number(
        (
          await db.query('SELECT count(*) AS n FROM webhook_deliveries WHERE workspace_id = $1', [
            WORKSPACE_ID,
          ])
        ).rows[0].n,
      );
    const runs = { with: [], without: [] };
    const delivering = settings.webhookWorker === 'true';
    try {
      for (let round = 0; round < settings.rounds; round++) {
        for (const which of round % 2 === 0 ? ['with', 'without'] : ['without', 'with']) {
          const label = `(e) outbox, ${which} a subscription`;
          log(
            `${label}: service round ${round + 1}/${settings.rounds} (${settings.warmupSeconds} s warm-up + ${settings.seconds} s)…`,
          );
          // The previous run's notifications delivered first (at most a minute), so that a run without a
          // subscription does not pay for the delivery of the one before it.
          const drainStarted = Date.now();
          const backlog = delivering ? (await queued()) - receiver.received() : 0;
          for (
            let waited = 0;
            backlog > 0 && waited < 60_000 && receiver.received() < (await queued());
            waited += 250
          )
            await sleep(250);
          const left = (await queued()) - receiver.received();
          if (backlog > 0)
            log(
              `  the previous run's backlog: ${backlog} notifications, ${backlog - left} delivered in ` +
                `${Date.now() - drainStarted} ms${left > 0 ? `, ${left} still waiting` : ''}`,
            );
          // (A disabled subscription's notifications are not sent: the subscription changes only once they are.)
          await setActive(which === 'with');
          let queuedBefore = 0;
          let receivedBefore = 0;
          const result = await measure('a', 'service', label, {
            afterWarmup: async () => {
              queuedBefore = await queued();
              receivedBefore = receiver.received();
            },
          });
          result.queued = (await queued()) - queuedBefore;
          result.receivedDuringRun = receiver.received() - receivedBefore;
          runs[which].push(result);
          log(`  ${result.rps} req/s, p99 ${result.p99} ms, ${result.queued} notifications queued`);
        }
      }
      // Every notification queued is delivered (the in-process worker), within a minute of the last update.
      const total = await queued();
      for (let waited = 0; delivering && waited < 60_000 && receiver.received() < total; waited += 250)
        await sleep(250);
      const medianRun = (list) => [...list].sort((x, y) => x.rps - y.rps)[Math.floor((list.length - 1) / 2)];
      return {
        name: '(e) outbox',
        topics: subscription.topics.length,
        with: medianRun(runs.with),
        without: medianRun(runs.without),
        rounds: {
          with: runs.with.map((x) => ({ rps: x.rps, p99: x.p99, cpuMsPerRequest: x.cpuMsPerRequest })),
          without: runs.without.map((x) => ({ rps: x.rps, p99: x.p99, cpuMsPerRequest: x.cpuMsPerRequest })),
        },
        queued: total,
        delivered: receiver.received(),
        worker: delivering,
      };
    } finally {
      // Later scenarios (the scale step) run without it.
      await setActive(false);
    }
  }

  // Scale: (a) right before and right after growing the workspace, so that the runs compared are adjacent in
  // time (same JIT state, as close as possible in machine load), BENCH_ROUNDS rounds each, medians compared.
  let scale = null;
  if (settings.scale && settings.scaleTickets > settings.tickets) {
    const before = await measureRounds(
      'a',
      `(a) again at ${settings.tickets} tickets, before growing`,
      settings.rounds,
      'service',
    );
    scale = { before: { tickets: settings.tickets, ...before }, after: {} };
    log(
      `scale: growing the workspace to ${settings.scaleTickets} tickets (INSERT … SELECT generate_series)…`,
    );
    const grown = await growWorkspace(database.url, {
      from: settings.tickets + 1,
      total: settings.scaleTickets,
    });
    log(
      `  ${grown.tickets} tickets (insert ${(grown.insertMs / 1000).toFixed(1)} s, VACUUM + ANALYZE + CHECKPOINT ` +
        `${(grown.settleMs / 1000).toFixed(1)} s); rerunning (a) on the same ${settings.tickets} tickets`,
    );
    // Baseline first this time (ABBA): whichever runs right after the growth gets no systematic advantage.
    const after = await measureRounds('a', `(a) at ${grown.tickets} tickets`, settings.rounds, 'baseline');
    scale.after = { tickets: grown.tickets, ...after };
    scale.insertMs = Math.round(grown.insertMs);
    scale.settleMs = Math.round(grown.settleMs);
    scale.skippedForeignKeyChecks = grown.skippedForeignKeyChecks;
    const change = (pick) => (who) => {
      const was = pick(scale.before[who]);
      const now = pick(scale.after[who]);
      return was ? round((now - was) / was, 4) : null;
    };
    scale.change = {};
    for (const who of ['service', 'baseline']) {
      scale.change[who] = {
        rps: change((x) => x.rps)(who),
        p50: change((x) => x.p50)(who),
        p99: change((x) => x.p99)(who),
        cpuMsPerRequest: change((x) => x.cpuMsPerRequest)(who),
      };
    }
  }

  clearInterval(timelineTimer);
  const rss = {
    service: { ...wholeRun.service.stop(), loadSeconds: round(loadSeconds.service) },
    baseline: { ...wholeRun.baseline.stop(), loadSeconds: round(loadSeconds.baseline) },
  };
  const results = {
    generatedAt: startedAt.toISOString(),
    durationSeconds: round((Date.now() - startedAt.getTime()) / 1000),
    settings,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: round(os.totalmem() / 1024 ** 3),
      node: process.version,
      postgres: pgVersion,
      database: database.kind,
      loadAverageBefore: loadBefore.map((v) => round(v)),
      loadAverageAfter: os.loadavg().map((v) => round(v)),
    },
    seed: {
      workspace: WORKSPACE_ID,
      tickets: seed.tickets,
      parts: seed.parts,
      ticketsWith500PlusParts: seed.big.length,
      bigParts: seed.bigParts,
      importSeconds: round(seed.importMs / 1000),
      bulkSqlSeconds: seed.bigParts === 'sql' ? round(seed.bulkMs / 1000) : null,
    },
    roundTrips,
    scenarios,
    outbox,
    measuredWindows: windows,
    scale,
    rss: {
      service: {
        idleAtStartMiB: rssAtStart.service,
        maxMiB: mib(rss.service.max),
        endMiB: mib(rss.service.end),
        loadSeconds: rss.service.loadSeconds,
      },
      baseline: {
        idleAtStartMiB: rssAtStart.baseline,
        maxMiB: mib(rss.baseline.max),
        endMiB: mib(rss.baseline.end),
        loadSeconds: rss.baseline.loadSeconds,
      },
      timeline,
    },
  };
  results.targets = evaluateTargets(results);
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  printReport(results);
  process.stdout.write(`\nresults written to ${RESULTS}\n`);
}

/** Microseconds on CLOCK_MONOTONIC: the clock of a V8 CPU profile's startTime and samples, in every process. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Scenario (e)'s receiver: answers 200 to every POST, on 127.0.0.1, and counts them. */
function startReceiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        received: () => received,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

/**
 * A subscription of the bench workspace to every topic of its default version (2.9: ticket.closed rather than
 * ticket.resolved, BEHAVIOUR.md §7), created with the CLI as an operator would (OPERATING.md `webhook create`).
 */
async function createSubscription(databaseUrl, url) {
  const topics = TICKET_TOPICS.filter((topic) => topic !== 'ticket.resolved');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'dist', 'src', 'cli', 'main.js'),
      'webhook',
      'create',
      '--workspace',
      WORKSPACE_ID,
      '--url',
      url,
      '--topics',
      topics.join(','),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: databaseUrl,
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_WORKER_ENABLED: settings.webhookWorker,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`webhook create exited ${code}: ${stderr}`);
  return { id: JSON.parse(stdout.trim().split('\n').pop()).id, topics };
}

/** Runs bench/round-trips.mjs in a child process and returns its JSON. */
function countRoundTrips(url, token) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'round-trips.mjs')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        BENCH_DB_URL: url,
        BENCH_TOKEN: token,
        BENCH_TICKET: String(PROBE_TICKET),
        BENCH_ADMINS: `${ADMIN_ID},${OTHER_ADMIN_ID}`,
        BENCH_POOL_SIZE: String(settings.poolSize),
        BENCH_METRICS: settings.metrics,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch {
        reject(new Error(`round-trips.mjs exited ${code}\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Starts `node <args>` on a free port with only `env` (and PATH/HOME); resolves once /health/live answers. */
async function startChild(name, args, env) {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  cleanups.unshift(stop);
  for (let waited = 0; waited < 60_000 && alive(); waited += 100) {
    const status = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) {
      log(`${name} pid ${child.pid} live on 127.0.0.1:${port}`);
      return { name, port, pid: child.pid, alive, output: () => output, stop };
    }
    await sleep(100);
  }
  throw new Error(`${name} did not become live on port ${port}\n${output}`);
}

/**
 * Issue #13's targets on this run. (b) is compared with the reference run before issue #13 on this machine
 * (bench/reference.json: the service's (b) req/s and p99 then); every other target compares the service with the
 * yardstick measured in the same run.
 */
function evaluateTargets(r) {
  const { a, b, c, d } = r.scenarios;
  const rt = r.roundTrips.service;
  const targets = [
    {
      target: 'round trips: a full update (no Idempotency-Key) ≤ 2',
      value: rt.full.update,
      met: rt.full.update <= 2,
      detail: `2.14 shape: ${rt.full214?.update ?? 'n/a'}; state-only: ${rt.stateOnly.update}`,
    },
    {
      target: 'round trips: a no-op ≤ 1 and GET ≤ 1',
      value: `${rt.noop.update} / ${rt.get?.update ?? 'n/a'}`,
      met: rt.noop.update <= 1 && (rt.get?.update ?? Infinity) <= 1,
    },
  ];
  if (a) {
    const cpu = (x) => x.cpuMsPerRequest;
    targets.push(
      {
        target: '(a) service req/s ≥ 0.85 × yardstick (median of the rounds)',
        value: a.ratio,
        met: a.ratio !== null && a.ratio >= 0.85,
        detail: `CPU-bound estimate ${a.cpuBoundRatio}`,
      },
      {
        target: '(a) service p99 ≤ 1.3 × yardstick p99',
        value: round(a.service.p99 / a.baseline.p99),
        met: a.service.p99 <= 1.3 * a.baseline.p99,
        detail: `${a.service.p99} vs ${a.baseline.p99} ms`,
      },
      {
        target: '(a) server CPU per update ≤ yardstick + 0.35 ms',
        value: cpu(a.service),
        met: cpu(a.service) !== null && cpu(a.baseline) !== null && cpu(a.service) <= cpu(a.baseline) + 0.35,
        detail: `yardstick ${cpu(a.baseline)} ms; limit ${cpu(a.baseline) === null ? 'n/a' : round(cpu(a.baseline) + 0.35, 3)} ms`,
      },
    );
  }
  if (b) {
    const reference = REFERENCE?.b;
    targets.push({
      target: '(b) hot ticket: req/s and p99 no worse than before issue #13 (bench/reference.json)',
      value: `${b.service.rps} req/s, p99 ${b.service.p99} ms`,
      met: reference ? b.service.rps >= reference.rps && b.service.p99 <= reference.p99 : false,
      detail: reference
        ? `before: ${reference.rps} req/s, p99 ${reference.p99} ms (${reference.measured})`
        : 'no reference',
    });
  }
  if (c) {
    targets.push({
      target: '(c) 500+ parts: server CPU per response ≤ 1.3 × yardstick',
      value: c.service.cpuMsPerRequest,
      met:
        c.service.cpuMsPerRequest !== null &&
        c.baseline.cpuMsPerRequest !== null &&
        c.service.cpuMsPerRequest <= 1.3 * c.baseline.cpuMsPerRequest,
      detail: `yardstick ${c.baseline.cpuMsPerRequest} ms (× ${c.baseline.cpuMsPerRequest ? round(c.service.cpuMsPerRequest / c.baseline.cpuMsPerRequest) : 'n/a'})`,
    });
  }
  if (d) {
    targets.push({
      target: '(d) no-op req/s ≥ 0.85 × yardstick',
      value: d.ratio,
      met: d.ratio !== null && d.ratio >= 0.85,
    });
  }
  if (r.scale) {
    // "Update cost does not grow": cost per request is 1/throughput; it may grow by at most 10%.
    const growth = (who) => round(r.scale.before[who].rps / r.scale.after[who].rps - 1, 4);
    targets.push({
      target: `(a) cost at ${r.scale.after.tickets} vs ${r.scale.before.tickets} tickets within 10% (service, 1/req/s)`,
      value: growth('service'),
      met: growth('service') <= 0.1,
      detail: `yardstick ${growth('baseline')}; service CPU per request, node + PG: ${(() => {
        const before = cpuMsTotal(r.scale.before.service);
        const after = cpuMsTotal(r.scale.after.service);
        return before && after ? round(after / before - 1, 4) : 'n/a';
      })()}`,
    });
  }
  targets.push({
    target: `service RSS ≤ 200 MiB (max over ${Math.round(r.rss.service.loadSeconds)} s of load)`,
    value: r.rss.service.maxMiB,
    met: r.rss.service.maxMiB <= 200,
  });
  return targets;
}

function printReport(r) {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const m = r.machine;
  out();
  out(`PUT /tickets/:id benchmark — ${r.generatedAt}`);
  out(
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres} (${m.database}); ` +
      `load average before ${m.loadAverageBefore.join(' ')}, after ${m.loadAverageAfter.join(' ')}`,
  );
  out(
    `load: ${r.settings.connections} connections, ${r.settings.warmupSeconds} s warm-up + ${r.settings.seconds} s per run, ` +
      `pool ${r.settings.poolSize} (both), metrics ${r.settings.metrics === 'true' ? 'on' : 'off'}; ` +
      `workspace ${r.seed.tickets} tickets, ${r.seed.parts} parts, ${r.seed.ticketsWith500PlusParts} with 500+ parts`,
  );
  out();
  const scenarioRows = Object.values(r.scenarios).map((s) => [s.name, s]);
  if (r.scale) {
    scenarioRows.push([`(a) again, ${r.scale.before.tickets} tickets`, r.scale.before]);
    scenarioRows.push([`(a) at ${r.scale.after.tickets} tickets`, r.scale.after]);
  }
  const lat = (x) => `${x.p50} / ${x.p95} / ${x.p99}`;
  table(
    out,
    [
      'scenario',
      'svc req/s',
      'base req/s',
      'ratio',
      'svc p50/p95/p99 ms',
      'base p50/p95/p99 ms',
      'errors svc/base',
    ],
    scenarioRows.map(([name, s]) => [
      name,
      s.service.rps.toFixed(1),
      s.baseline.rps.toFixed(1),
      s.ratio === null ? 'n/a' : s.ratio.toFixed(2),
      lat(s.service),
      lat(s.baseline),
      `${s.service.errors} / ${s.baseline.errors}`,
    ]),
  );
  out();
  table(
    out,
    [
      'scenario',
      'node CPU ms/req svc/base',
      'PG CPU ms/req svc/base',
      'CPU-bound ratio',
      'CPU PSI % svc/base',
      'svc RSS max/end MiB',
      'base RSS max/end MiB',
    ],
    scenarioRows.map(([name, s]) => [
      name,
      `${s.service.cpuMsPerRequest} / ${s.baseline.cpuMsPerRequest}`,
      `${s.service.pgCpuMsPerRequest} / ${s.baseline.pgCpuMsPerRequest}`,
      s.cpuBoundRatio ?? 'n/a',
      `${s.service.cpuPressure} / ${s.baseline.cpuPressure}`,
      `${s.service.rssMaxMiB} / ${s.service.rssEndMiB}`,
      `${s.baseline.rssMaxMiB} / ${s.baseline.rssEndMiB}`,
    ]),
  );
  out(
    'node CPU ms/req: CPU time of the server process per request; PG CPU ms/req: of the database backends. ' +
      'CPU-bound ratio: (baseline node + PG) / (service node + PG), the ratio to expect when the CPUs are the ' +
      'limit. CPU PSI %: share of the last 10 s in which some task on the machine waited for a CPU, at the end of ' +
      'the run (> 20: CPU-starved, req/s and latencies are noisy).',
  );
  out(
    `RSS over the whole run: service idle ${r.rss.service.idleAtStartMiB} MiB → max ${r.rss.service.maxMiB} MiB, ` +
      `end ${r.rss.service.endMiB} MiB (${Math.round(r.rss.service.loadSeconds)} s of load); baseline idle ` +
      `${r.rss.baseline.idleAtStartMiB} MiB → max ${r.rss.baseline.maxMiB} MiB`,
  );
  const roundsLine = (label, entry) => {
    if (!entry?.rounds) return;
    const rps = (list) => list.map((x) => x.rps.toFixed(0)).join(', ');
    out(
      `${label}: ${entry.rounds.ratios.length} rounds, service req/s ${rps(entry.rounds.service)}; baseline ` +
        `${rps(entry.rounds.baseline)}; ratios ${entry.rounds.ratios.join(', ')} (the tables show each side's median ` +
        `round and the median ratio)`,
    );
  };
  roundsLine('(a) many tickets', r.scenarios.a);
  roundsLine('(a) again, before growing', r.scale?.before);
  roundsLine('(a) after growing', r.scale?.after);
  if (r.scenarios.b?.hotTickets) {
    const h = r.scenarios.b.hotTickets;
    out(
      `(b) hot tickets' parts before → after: service #${h.service.id} ${h.service.partsBefore} → ${h.service.partsAfter}, ` +
        `baseline #${h.baseline.id} ${h.baseline.partsBefore} → ${h.baseline.partsAfter} (responses show the newest 500)`,
    );
  }
  if (r.outbox) {
    const o = r.outbox;
    const side = (x) =>
      `${x.rps} req/s, p99 ${x.p99} ms, node CPU ${x.cpuMsPerRequest} ms/update, PG CPU ${x.pgCpuMsPerRequest} ms/update`;
    out(
      `(e) outbox, service only, (a)'s updates, medians of ${o.rounds.with.length} rounds each (alternating):`,
    );
    out(`  without a subscription: ${side(o.without)}`);
    out(
      `  with one to every topic (${o.topics}): ${side(o.with)}; ` +
        `${(o.with.queued / Math.max(1, o.with.requests)).toFixed(2)} notifications per update`,
    );
    out(
      o.worker
        ? `  delivered to the receiver on 127.0.0.1 by the in-process worker: ${o.delivered} of ${o.queued} queued ` +
            `(during the measured run: ${o.with.receivedDuringRun}); the CPU above includes the delivery`
        : `  the in-process worker off (BENCH_WEBHOOK_WORKER=false): the outbox's writes alone; ${o.queued} queued, none delivered`,
    );
  }
  if (r.scale) {
    const pct = (v) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
    const c = r.scale.change;
    out(
      `scale: ${r.scale.before.tickets} → ${r.scale.after.tickets} tickets in one workspace (insert ` +
        `${(r.scale.insertMs / 1000).toFixed(1)} s, VACUUM + ANALYZE + CHECKPOINT ${(r.scale.settleMs / 1000).toFixed(1)} s), (a) after vs ` +
        `right before: service req/s ${pct(c.service.rps)}, p50 ${pct(c.service.p50)}, p99 ${pct(c.service.p99)}, ` +
        `CPU/req ${pct(c.service.cpuMsPerRequest)}; baseline req/s ${pct(c.baseline.rps)}, p50 ${pct(c.baseline.p50)}, ` +
        `CPU/req ${pct(c.baseline.cpuMsPerRequest)}`,
    );
  }
  out();
  out('SQL round trips per request (one request at a time, counted at pg Client.query):');
  const rt = r.roundTrips;
  for (const [name, label] of [
    ['full', 'full update at 2.9 (2 attributes + state + assignment)'],
    ['full214', 'full update at 2.14 (2 attributes + ticket_state_id + admin_id/assignee_id), service only'],
    ['stateOnly', 'state-only update'],
    ['noop', 'no-op `{}`'],
    ['get', 'GET /tickets/{id}, service only'],
  ]) {
    const s = rt.service[name];
    if (!s) continue;
    const auth = s.auth > 0 ? ` + ${s.auth} token lookup = ${s.roundTrips}` : '';
    const yardstick = rt.baseline[name]
      ? ` (baseline ${rt.baseline[name].roundTrips}, same statements: ${rt.sameStatements[name] ? 'yes' : 'NO'})`
      : '';
    out(`  ${label}: ${s.update}${auth}${yardstick}`);
    out(`    ${s.statements.join(' → ')}`);
  }
  const cold = rt.service.coldNoop;
  if (cold) {
    out(
      `  token lookup: ${cold.auth} round trip on a token's first request (no-op: ${cold.roundTrips} in all), ` +
        `then none while it is cached (AUTH_CACHE_TTL_MS, 5 s)`,
    );
  }
  out(
    `  no-op responses of service and baseline byte-identical: ${rt.noopResponsesIdentical ? 'yes' : 'NO'}`,
  );
  out();
  out('targets:');
  for (const t of r.targets) {
    const extra =
      t.cpuBoundRatio !== undefined
        ? ` (CPU-bound estimate from CPU per request: ${t.cpuBoundRatio})`
        : t.baselineValue !== undefined
          ? ` (baseline: ${t.baselineValue}; service CPU per request, node + PG: ${t.cpuGrowth})`
          : t.withTokenLookup !== undefined
            ? ` (${t.withTokenLookup} with a token lookup, once per token per 5 s)`
            : '';
    out(`  [${t.met ? 'met' : 'NOT MET'}] ${t.target}: ${t.value}${t.detail ? ` (${t.detail})` : extra}`);
  }
}

/** CPU per request of one side, its node process plus PostgreSQL; null when either is unknown. */
function cpuMsTotal(x) {
  return x.cpuMsPerRequest === null || x.pgCpuMsPerRequest === null
    ? null
    : x.cpuMsPerRequest + x.pgCpuMsPerRequest;
}

/** (baseline node + PG CPU per request) / (service node + PG CPU per request). */
function cpuBoundRatio(s) {
  const service = cpuMsTotal(s.service);
  const baseline = cpuMsTotal(s.baseline);
  return service && baseline ? round(baseline / service, 2) : null;
}

function table(out, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  out(line(header));
  out(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) out(line(r.map(String)));
}

function integer(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const ratio = (a, b) => (b > 0 ? round(a / b, 3) : null);
/** The middle value (the lower middle of an even count); nulls are left out. */
const median = (values) => {
  const known = values.filter((v) => v !== null).sort((x, y) => x - y);
  return known.length === 0 ? null : known[Math.floor((known.length - 1) / 2)];
};
const round = (value, places = 2) => Math.round(value * 10 ** places) / 10 ** places;
const mib = (bytes) => (bytes === null || bytes === undefined ? null : round(bytes / MiB, 1));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function cleanup() {
  while (cleanups.length > 0) {
    const step = cleanups.shift();
    await step().catch((error) => log(`cleanup: ${error?.message ?? error}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping…`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup();
} catch (error) {
  console.error(error?.stack ?? error);
  await cleanup();
  process.exitCode = 1;
}
