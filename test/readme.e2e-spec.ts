import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's instructions that a user copies must match the repository (issue #10 point 14): the compose
 * example creates a token for the workspace its import step loads, and the token cache is not denied.
 */
const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('the compose example imports a snapshot of the repository first, then makes a token for its workspace', () => {
    const deploy = readme.slice(readme.indexOf('## Deploy'));
    const block = /```sh\n([\s\S]*?)```/.exec(deploy)?.[1] ?? '';
    const importLine = block.split('\n').findIndex((line) => / import - < (\S+)/.test(line));
    const tokenLine = block.split('\n').findIndex((line) => /token create --workspace (\S+)/.test(line));
    expect(importLine).toBeGreaterThanOrEqual(0);
    expect(tokenLine).toBeGreaterThan(importLine);
    const file = / import - < (\S+)/.exec(block)![1];
    const snapshot = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { workspace: { id: string } };
    expect(/token create --workspace (\S+)/.exec(block)![1]).toBe(snapshot.workspace.id);
  });

  it('describes the token cache wherever it speaks of revocation', () => {
    expect(readme).not.toMatch(/no cache/i);
    expect(readme).toContain('AUTH_CACHE_TTL_MS');
  });
});
