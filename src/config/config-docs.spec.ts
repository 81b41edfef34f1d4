import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from './config';

/**
 * EnvSchema is the one list of variables; README "Configuration" and .env.example are written by hand beside
 * it. These checks keep the three from drifting apart: every variable documented in both, with its default, and
 * nothing documented that the schema does not read.
 */
const ROOT = join(__dirname, '..', '..');

/** In the README table but read by node or by the tests, not by loadConfig. */
const OUTSIDE_SCHEMA = ['NODE_OPTIONS', 'TEST_DATABASE_URL', 'TEST_REDIS_URL'];

/** A default as the docs write it: unset, or its text in the environment (a list: comma-separated). */
function asText(value: EnvSchema[keyof EnvSchema]): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

const schema: Record<string, string | undefined> = Object.fromEntries(
  (Object.entries(new EnvSchema()) as [keyof EnvSchema, EnvSchema[keyof EnvSchema]][]).map(
    ([name, value]) => [name, asText(value)],
  ),
);

/** The first table of README "Configuration": variable → its default column. */
function readmeTable(): Record<string, string | undefined> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const table = section.slice(section.indexOf('\n|') + 1).split('\n\n')[0];
  const rows = table.split('\n').slice(2); // the header and its rule
  return Object.fromEntries(
    rows.map((row) => {
      const [name, defaultCell] = row
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim());
      // `pretty`; `json` when …: the first value is the default without the conditions that follow.
      const value =
        defaultCell === '_(unset)_'
          ? undefined
          : defaultCell === '_(empty)_'
            ? ''
            : defaultCell.match(/^`([^`]*)`/)?.[1];
      return [name.replace(/`/g, ''), value];
    }),
  );
}

/** .env.example: variable → its value, or null when only shown commented out (an example, not the default). */
function envExample(): Record<string, string | null> {
  const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
  return Object.fromEntries(
    lines.flatMap((line) => {
      const match = /^(# )?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return match ? [[match[2], match[1] ? null : match[3]]] : [];
    }),
  );
}

describe('the configuration docs', () => {
  it('README "Configuration" lists every variable of EnvSchema and no other', () => {
    const documented = Object.keys(readmeTable()).filter((name) => !OUTSIDE_SCHEMA.includes(name));
    expect(documented.sort()).toEqual(Object.keys(schema).sort());
  });

  it("README gives each variable's default as EnvSchema has it", () => {
    const table = readmeTable();
    const documented = Object.fromEntries(Object.keys(schema).map((name) => [name, table[name]]));
    expect(documented).toEqual(schema);
  });

  it('.env.example lists every variable of EnvSchema and no other', () => {
    expect(Object.keys(envExample()).sort()).toEqual(Object.keys(schema).sort());
  });

  it('.env.example sets each variable it does not comment out to its default', () => {
    const example = envExample();
    const set = Object.keys(example).filter((name) => example[name] !== null);
    expect(Object.fromEntries(set.map((name) => [name, example[name]]))).toEqual(
      Object.fromEntries(set.map((name) => [name, schema[name]])),
    );
    // A variable without a default (a URL) can only be shown commented out.
    for (const [name, value] of Object.entries(schema))
      if (value === undefined) expect(example[name]).toBeNull();
  });
});
