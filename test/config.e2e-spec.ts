import { testDatabaseUrl } from './support/app';
import { freePort, spawnServer } from './support/server-process';

/**
 * README "Configuration": a bad variable stops the compiled server before it listens, with exit code 1
 * and a message naming the variable. Everything else is valid (the test database), so a variable the
 * check missed would let the server start, and the bounded wait for its exit would fail the test.
 */
describe('the compiled server with a bad environment variable', () => {
  async function run(env: Record<string, string>) {
    const server = spawnServer({
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(await freePort()),
      LOG_FORMAT: 'json',
      DEMO_DATA: 'false',
      ...env,
    });
    try {
      return { exit: await server.exit(20_000), stdout: server.stdout(), stderr: server.stderr() };
    } finally {
      server.kill();
    }
  }

  it.each([
    ['PORT', 'abc'],
    ['DB_POOL_SIZE', '0'],
    ['DATABASE_URL', 'mysql://x'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://x'],
    ['METRICS_ENABLED', 'yes'],
    ['SHUTDOWN_TIMEOUT_MS', 'soon'],
  ])('%s=%s: exits 1 naming the variable, without listening', async (name, value) => {
    const { exit, stdout, stderr } = await run({ [name]: value });
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toMatch(/^Invalid configuration:\n/);
    // The value is repeated to help, except for URLs, which may hold credentials.
    const shown = name.endsWith('_URL') ? '' : `.*${JSON.stringify(value)}`;
    expect(stderr).toMatch(new RegExp(`^ {2}- ${name}[ :]${shown}`, 'm'));
    if (name.endsWith('_URL')) expect(stderr).not.toContain(value);
    // Exactly one problem reported; no stack trace, no log line, and no "listening".
    expect(stderr.trim().split('\n')).toHaveLength(2);
    expect(stdout).toBe('');
  });

  it('names every bad variable in one run', async () => {
    const { exit, stdout, stderr } = await run({ PORT: 'abc', LOG_LEVEL: 'loud', DB_POOL_SIZE: '0' });
    expect(exit).toEqual({ code: 1, signal: null });
    for (const name of ['PORT', 'LOG_LEVEL', 'DB_POOL_SIZE']) {
      expect(stderr).toMatch(new RegExp(`^ {2}- ${name}[ :]`, 'm'));
    }
    expect(stdout).toBe('');
  });
});
