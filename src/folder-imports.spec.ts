import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Issue #10: no top-level folder of src/ imports, through any chain, a folder that imports it back. A node is
 * a top-level folder (auth/, tickets/, ...) or a file at the root of src/ (main.ts, entities.ts, ...); an
 * edge is a relative import, `import type` included, since a type import still ties the two designs.
 */
const SRC = resolve(__dirname);

/** `from '…'`, `import '…'`, `import('…')` and `require('…')` with a relative specifier. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The node a path belongs to, or undefined outside src/ (migrations/, node_modules). */
function nodeOf(path: string): string | undefined {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0].replace(/\.ts$/, '');
}

type Graph = Map<string, Map<string, string>>;

/** Folder → folder edges, each with one file that makes it (for the failure message). */
function folderGraph(files: { path: string; text: string }[]): Graph {
  const graph: Graph = new Map();
  for (const { path, text } of files) {
    const from = nodeOf(path)!;
    for (const [, specifier] of text.matchAll(IMPORT)) {
      const to = nodeOf(resolve(dirname(path), specifier));
      if (to === undefined || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, `${relative(SRC, path)} imports '${specifier}'`);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first search, as "a/ -> b/ -> a/" with the imports that close it. */
function findCycles(graph: Graph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        const why = loop.slice(0, -1).map((from, i) => graph.get(from)!.get(loop[i + 1])!);
        cycles.push(`${loop.join(' -> ')} (${why.join('; ')})`);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('imports between the top-level folders of src/', () => {
  it('form no cycle', () => {
    const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(findCycles(folderGraph(files))).toEqual([]);
  });

  it('finds a cycle through three folders, type imports included', () => {
    const file = (path: string, text: string) => ({ path: join(SRC, path), text });
    const graph = folderGraph([
      file('a/x.ts', "import { y } from '../b/y';"),
      file('b/y.ts', "import type { Z } from '../c/deep/z';"),
      file('c/deep/z.ts', "export { x } from '../../a/x';\nimport { ok } from './near';"),
      file('main.ts', "import { x } from './a/x';"),
    ]);
    expect(findCycles(graph)).toEqual([
      "a/ -> b/ -> c/ -> a/ (a/x.ts imports '../b/y'; b/y.ts imports '../c/deep/z'; c/deep/z.ts imports '../../a/x')",
    ]);
  });
});
