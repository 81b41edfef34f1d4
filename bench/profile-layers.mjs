/* global process, console */
/**
 * Where the server's CPU per request goes, layer by layer, for the service and the yardstick side by side
 * (issue #13). Run `npm run bench` with BENCH_CPU_PROF_DIR set (both processes then write a V8 CPU profile),
 * then `node bench/profile-layers.mjs <that dir> [label]`: it reads bench/results.json for each measured run's
 * window on the monotonic clock, its process and its request count (`measuredWindows`), keeps the samples of the
 * runs whose label starts with `label` (default `(a) many tickets`), and prints microseconds of main-thread CPU
 * per request by layer: each layer's share of the profile's samples times the main thread's CPU per request that
 * /proc counted over the same runs, then the process's other threads. A built-in function (no script of its own:
 * JSON.parse, a Map's set) counts for the layer that called it. The profiler itself costs a few percent; compare
 * the two columns, not the absolute values with a run that was not profiled.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The layer of a node_modules package. */
const PACKAGES = [
  [
    /^@nestjs\/(core|common)$|^reflect-metadata$|^iterare$/,
    'Nest core (router, guards, interceptors, pipes)',
  ],
  [/^rxjs$|^tslib$/, 'rxjs (Nest interceptor pipeline)'],
  [
    /^@nestjs\/platform-fastify$|^fastify$|^@fastify\/|^find-my-way$|^avvio$|^light-my-request$|^fast-/,
    'Fastify',
  ],
  [/^pg$|^pg-|^postgres-|^pgpass$/, 'pg driver'],
  [/^typeorm$/, 'TypeORM'],
  [/^passport|^@nestjs\/passport$/, 'passport'],
  [/^class-validator$|^class-transformer$|^validator$|^libphonenumber/, 'class-validator'],
  [/^prom-client$|^tdigest$|^bintrees$/, 'metrics (prom-client)'],
  [
    /^pino|^sonic-boom$|^thread-stream$|^on-exit-leak-free$|^quick-format|^atomic-sleep$|^fast-redact$/,
    'logging (pino)',
  ],
  [/^rate-limiter-flexible$/, 'rate limit'],
  [/^helmet$/, 'helmet'],
];

function layerOf(url) {
  if (url.includes('/dist/src/')) return 'own code (service: dist/src)';
  if (url.includes('/bench/baseline-server.mjs')) return 'own code (yardstick)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) {
    for (const [pattern, layer] of PACKAGES) if (pattern.test(pkg[1])) return layer;
    return `other packages`;
  }
  if (
    /^node:(internal\/)?(http|_http|net|stream|streams|internal\/streams|dns|tls)/.test(url) ||
    /^node:(_http|http|net)/.test(url)
  )
    return 'Node: HTTP, sockets, streams';
  if (/async_hooks|async_context|AsyncResource/.test(url)) return 'Node: async hooks';
  if (url.startsWith('node:')) return 'Node: other (timers, events, buffers, util)';
  return 'other';
}

/** Self time (µs) per layer of the samples inside `windows`. */
function attribute(profile, windows) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const layerCache = new Map();
  const layerOfNode = (id) => {
    if (layerCache.has(id)) return layerCache.get(id);
    const { functionName, url } = byId.get(id).callFrame;
    let layer;
    if (functionName === '(garbage collector)') layer = 'GC (main thread)';
    else if (functionName === '(idle)') layer = null;
    else if (functionName === '(program)') layer = 'V8 and native, outside JavaScript (program)';
    else if (functionName === '(root)') layer = 'other';
    else if (url) layer = layerOf(url);
    else layer = parent.has(id) ? layerOfNode(parent.get(id)) : 'other';
    layerCache.set(id, layer);
    return layer;
  };
  const totals = new Map();
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    const duration = profile.timeDeltas[i + 1] ?? 0;
    if (!windows.some((w) => time >= w.startUs && time < w.endUs)) continue;
    const layer = layerOfNode(profile.samples[i]);
    if (layer) totals.set(layer, (totals.get(layer) ?? 0) + duration);
  }
  return totals;
}

function main() {
  const dir = process.argv[2];
  const label = process.argv[3] ?? '(a) many tickets';
  if (!dir) {
    console.error('usage: node bench/profile-layers.mjs <BENCH_CPU_PROF_DIR> [label prefix]');
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8'));
  if (!results.measuredWindows) {
    console.error(
      'bench/results.json has no measuredWindows: run npm run bench again with BENCH_CPU_PROF_DIR',
    );
    process.exit(1);
  }
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  const columns = {};
  for (const who of ['service', 'baseline']) {
    const windows = results.measuredWindows.filter((w) => w.who === who && w.label.startsWith(label));
    if (windows.length === 0) {
      console.error(`no measured run of ${who} whose label starts with "${label}"`);
      process.exit(1);
    }
    const file = files.find((name) => name.includes(`.${windows[0].pid}.`));
    if (!file) {
      console.error(`no profile of pid ${windows[0].pid} (${who}) in ${dir}`);
      process.exit(1);
    }
    const totals = attribute(JSON.parse(readFileSync(join(dir, file), 'utf8')), windows);
    const requests = windows.reduce((sum, w) => sum + w.requests, 0);
    columns[who] = { totals, requests, runs: windows.length };
  }
  // A sampling profile counts wall time: on a busy 2-core machine a thread that the kernel has descheduled keeps
  // being sampled where it stopped. Each layer's share of the samples is therefore applied to the main thread's
  // CPU as /proc counted it over the same runs; the other threads (V8's parallel GC and compiler, libuv) are the
  // rest of the process's CPU.
  const proc = (who, field) => {
    const runs = results.measuredWindows.filter((w) => w.who === who && w.label.startsWith(label));
    const total = runs.reduce((sum, w) => sum + (w[field] ?? NaN) * 1000 * w.requests, 0);
    return total / runs.reduce((sum, w) => sum + w.requests, 0);
  };
  const layers = [...new Set([...columns.service.totals.keys(), ...columns.baseline.totals.keys()])];
  for (const who of ['service', 'baseline']) {
    const column = columns[who];
    const sampled = [...column.totals.values()].reduce((sum, micros) => sum + micros, 0);
    column.main = proc(who, 'mainThreadCpuMsPerRequest');
    column.all = proc(who, 'cpuMsPerRequest');
    column.perRequest = (layer) => ((column.totals.get(layer) ?? 0) / sampled) * column.main;
  }
  layers.sort((x, y) => columns.service.perRequest(y) - columns.service.perRequest(x));
  const width = Math.max(...layers.map((layer) => layer.length), 40);
  const us = (value) => (Number.isFinite(value) ? String(Math.round(value)) : '?');
  const row = (name, a, b) =>
    console.log(
      `${name.padEnd(width)}  ${us(a).padStart(8)}  ${us(b).padStart(9)}  ${us(a - b).padStart(6)}`,
    );
  console.log(
    `CPU per request (µs), runs "${label}…": service ${columns.service.runs} runs, ${columns.service.requests} ` +
      `requests; yardstick ${columns.baseline.runs} runs, ${columns.baseline.requests} requests`,
  );
  console.log(
    `${'layer'.padEnd(width)}  ${'service'.padStart(8)}  ${'yardstick'.padStart(9)}  ${'diff'.padStart(6)}`,
  );
  for (const layer of layers)
    row(layer, columns.service.perRequest(layer), columns.baseline.perRequest(layer));
  row('main thread (/proc), the sum of the above', columns.service.main, columns.baseline.main);
  row(
    'other threads (/proc): parallel GC, compiler, libuv',
    columns.service.all - columns.service.main,
    columns.baseline.all - columns.baseline.main,
  );
  row('the process (/proc)', columns.service.all, columns.baseline.all);
}

main();
