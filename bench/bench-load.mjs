/* global process, setInterval, clearInterval */
/**
 * One measured autocannon run against 127.0.0.1, bounded in time, with per-request latencies kept by the
 * bench itself (autocannon's histogram has no p95) and the target process's RSS sampled from /proc.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/** Latency samples are kept up to this many per run (~16 MiB); enough for 60 s at 250k req/s. */
const MAX_SAMPLES = 2_000_000;

/** The process's resident set size in bytes, from /proc/<pid>/status (null when unreadable). */
export function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`; 100 on Linux). */
let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep 100
}

/** CPU time (user + system) the process has used so far, in seconds; null when unreadable. */
export function cpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU time of the process's main thread alone (JavaScript, the main thread's GC, its I/O), in seconds. */
export function mainThreadCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuSeconds(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** The machine's CPU pressure (PSI "some" avg10, %): how much of the time runnable tasks waited for a CPU. */
export function cpuPressure() {
  try {
    const match = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the maximum and the last sample. */
export function rssSampler(pid, everyMs = 200) {
  let max = 0;
  let last = null;
  let samples = 0;
  const sample = () => {
    const rss = rssBytes(pid);
    if (rss === null) return;
    last = rss;
    max = Math.max(max, rss);
    samples++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { max, end: last, samples };
    },
  };
}

/**
 * Runs autocannon for `seconds` with `makeRequest()` giving each request's path and body. Returns requests/s,
 * p50/p95/p99 (ms), error counts (non-2xx responses, socket errors, timeouts) and the status codes.
 */
export function runLoad({ port, token, seconds, connections, makeRequest }) {
  const latencies = new Float64Array(MAX_SAMPLES);
  let count = 0;
  let non2xx = 0;
  const statuses = {};
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        timeout: 10,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'intercom-version': '2.9',
          accept: 'application/json',
        },
        requests: [
          {
            method: 'PUT',
            setupRequest: (request) => {
              const { path, body } = makeRequest();
              return { ...request, path, body };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.subarray(0, Math.min(count, MAX_SAMPLES)).sort();
        const at = (q) =>
          sorted.length === 0
            ? null
            : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
        resolve({
          seconds: round(elapsed),
          requests: count,
          rps: round(count / elapsed),
          ok: count - non2xx,
          p50: at(0.5),
          p95: at(0.95),
          p99: at(0.99),
          max: sorted.length === 0 ? null : round(sorted[sorted.length - 1]),
          errors: non2xx + result.errors + result.timeouts,
          non2xx,
          socketErrors: result.errors,
          timeouts: result.timeouts,
          statuses,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (count < MAX_SAMPLES) latencies[count] = responseTime;
      count++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status < 200 || status > 299) non2xx++;
    });
  });
}

const round = (value) => Math.round(value * 100) / 100;
