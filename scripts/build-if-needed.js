#!/usr/bin/env node
// Compiles the TypeScript sources when dist/ is missing or older than any source, so that `npm start` and
// `npm run cli` work straight after `npm ci`. Compiles as `npm run build` does (the Nest CLI, so the
// @nestjs/swagger plugin in nest-cli.json writes the OpenAPI metadata of the DTOs). Says on stderr that it is
// compiling (the first run takes a while); stdout stays clean, it is the CLI's output.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const nestCliConfig = join(root, 'nest-cli.json');
const inputs = [
  'src',
  'migrations',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package-lock.json',
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const sources = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built >= sources) process.exit(0);

let nest;
try {
  nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
} catch {
  if (existsSync(stamp)) process.exit(0); // a production install without dev dependencies: keep the build it has
  process.stderr.write('dist/ is missing and the Nest CLI is not installed: run `npm ci` first\n');
  process.exit(1);
}
// tsc's incremental state knows nothing of compiler plugins: when their options changed, files it considers up
// to date would keep the old plugin's output, so start from scratch.
if (newest(nestCliConfig) > built) rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });
const started = Date.now();
process.stderr.write('Compiling the TypeScript sources (first run, or they changed)…\n');
try {
  // The Nest CLI prints errors on stderr and their count on stdout; keep stdout clean (the CLI's output) and show
  // both on stderr instead, without colour codes unless stderr is a terminal.
  execFileSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'pipe' });
} catch (error) {
  const output = `${error.stderr ?? ''}${error.stdout ?? ''}`;
  // eslint-disable-next-line no-control-regex
  const text = process.stderr.isTTY ? output : output.replace(/\x1b\[[0-9;]*m/g, '');
  process.stderr.write(`${text}build failed (TypeScript errors above)\n`);
  process.exit(1);
}
writeFileSync(stamp, new Date().toISOString() + '\n');
process.stderr.write(`Compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
