#!/usr/bin/env node
// Compiles the TypeScript sources when dist/ is missing or older than any source, so that `npm start` and
// `npm run cli` work straight after `npm ci`. Says on stderr that it is compiling (the first run takes a while);
// stdout stays clean, it is the CLI's output.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const sources = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built >= sources) process.exit(0);

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  if (existsSync(stamp)) process.exit(0); // a production install without dev dependencies: keep the build it has
  process.stderr.write('dist/ is missing and TypeScript is not installed: run `npm ci` first\n');
  process.exit(1);
}
const started = Date.now();
process.stderr.write('Compiling the TypeScript sources (first run, or they changed)…\n');
try {
  // tsc reports errors on stdout; keep stdout clean (the CLI's output) and show them on stderr instead.
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'pipe',
  });
} catch (error) {
  process.stderr.write(`${error.stdout ?? ''}${error.stderr ?? ''}build failed (TypeScript errors above)\n`);
  process.exit(1);
}
writeFileSync(stamp, new Date().toISOString() + '\n');
process.stderr.write(`Compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
