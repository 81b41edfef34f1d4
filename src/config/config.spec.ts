import { ConfigError, EnvSchema, loadConfig } from './config';

/** The message loadConfig throws for `env`, or a failure if it does not throw a ConfigError. */
function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('logs JSON lines by default in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('never repeats a rejected URL, which may hold a password', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x', REDIS_URL: 'http://:hunter2@r' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('gives every default with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dbPoolSize: 10,
      dataDir: '.data',
      embeddedPgPort: 54329,
      demoData: true,
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'info',
      logFormat: 'pretty',
      redisUrl: undefined,
      rateLimitPer10s: 1667,
      metricsEnabled: true,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      requestTimeoutMs: 15_000,
      shutdownTimeoutMs: 10_000,
      corsOrigins: [],
      authCacheTtlMs: 5_000,
      authNegativeCacheTtlMs: 5_000,
      authFailureLimit: 300,
      authFailureWindowMs: 60_000,
      ticketQueueLimit: 100,
      workspaceDbConnections: 5,
      optimisticWriteAttempts: 2,
      webhookWorkerEnabled: true,
      webhookConcurrency: 8,
      webhookPollIntervalMs: 1_000,
      webhookLeaseMs: 30_000,
      webhookAllowPrivateUrls: true,
      webhookRetryScale: 1,
      webhookRetentionDays: 7,
      webhookWorkerWorkspaces: [],
    });
  });

  it('refuses private webhook URLs by default in production only', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).webhookAllowPrivateUrls).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhookAllowPrivateUrls,
    ).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).webhookAllowPrivateUrls).toBe(false);
  });

  it('reads the retry scale as a decimal and the worker workspaces as a list', () => {
    expect(loadConfig({ WEBHOOK_RETRY_SCALE: '0.001' }).webhookRetryScale).toBe(0.001);
    expect(loadConfig({ WEBHOOK_RETRY_SCALE: '1e-4' }).webhookRetryScale).toBe(0.0001);
    expect(loadConfig({ WEBHOOK_WORKER_WORKSPACES: 'a, b*' }).webhookWorkerWorkspaces).toEqual(['a', 'b*']);
    expect(problems({ WEBHOOK_RETRY_SCALE: 'fast' })).toContain(
      'WEBHOOK_RETRY_SCALE: WEBHOOK_RETRY_SCALE must be a number (got "fast")',
    );
    expect(problems({ WEBHOOK_RETRY_SCALE: '2' })).toContain(
      'WEBHOOK_RETRY_SCALE: WEBHOOK_RETRY_SCALE must not be greater than 1 (got "2")',
    );
    // A lease shorter than an attempt (5 s) and some slack would let a second worker take it mid-attempt.
    expect(problems({ WEBHOOK_LEASE_MS: '5000' })).toContain(
      'WEBHOOK_LEASE_MS: WEBHOOK_LEASE_MS must not be less than 10000 (got "5000")',
    );
  });

  it('takes every default from EnvSchema as it is, each variable under its camelCase name', () => {
    // One schema: no mapping beside it converts a default (the README table checks against the same values).
    const defaults = Object.entries(new EnvSchema()).map(([name, value]): [string, unknown] => [
      name.toLowerCase().replace(/_(.)/g, (_, next: string) => next.toUpperCase()),
      value,
    ]);
    expect(loadConfig({})).toStrictEqual(Object.fromEntries(defaults));
  });

  it('caps the connections of one workspace at the pool size', () => {
    expect(loadConfig({ DB_POOL_SIZE: '3' }).workspaceDbConnections).toBe(3);
    expect(loadConfig({ DB_POOL_SIZE: '20', WORKSPACE_DB_CONNECTIONS: '12' }).workspaceDbConnections).toBe(
      12,
    );
  });

  it('coerces integers and booleans, and treats an empty value as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      DB_POOL_SIZE: ' 25 ',
      DEMO_DATA: 'false',
      METRICS_ENABLED: 'false',
      SHUTDOWN_TIMEOUT_MS: '0',
      REQUEST_TIMEOUT_MS: '',
      LOG_FORMAT: 'json',
      DATABASE_URL: 'postgresql://app@db.internal:5432/tickets',
      REDIS_URL: 'rediss://cache.internal:6380',
    });
    expect(config).toMatchObject({
      port: 8080,
      dbPoolSize: 25,
      demoData: false,
      metricsEnabled: false,
      shutdownTimeoutMs: 0,
      requestTimeoutMs: 15_000,
      logFormat: 'json',
      databaseUrl: 'postgresql://app@db.internal:5432/tickets',
      redisUrl: 'rediss://cache.internal:6380',
    });
  });

  it('takes IPv4 and IPv6 listen addresses and any free metrics port', () => {
    expect(loadConfig({ HOST: '0.0.0.0', METRICS_HOST: '::', METRICS_PORT: '9464' })).toMatchObject({
      host: '0.0.0.0',
      metricsHost: '::',
      metricsPort: 9464,
    });
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0' })).toMatchObject({ port: 0, metricsPort: 0 });
  });

  it('splits CORS_ORIGINS on commas, trimming and dropping empty entries', () => {
    expect(loadConfig({ CORS_ORIGINS: ' https://a.example ,https://b.example,, ' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(loadConfig({ CORS_ORIGINS: 'https://only.example' }).corsOrigins).toEqual([
      'https://only.example',
    ]);
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer (got "abc")'],
    ['PORT', '3.5', 'PORT must be an integer (got "3.5")'],
    ['PORT', '70000', 'PORT: PORT must not be greater than 65535 (got "70000")'],
    ['DB_POOL_SIZE', '0', 'DB_POOL_SIZE: DB_POOL_SIZE must not be less than 1 (got "0")'],
    // URL values may hold credentials, so they are not repeated.
    ['DATABASE_URL', 'mysql://x', 'DATABASE_URL: DATABASE_URL must be a postgres:// URL'],
    ['REDIS_URL', 'http://x', 'REDIS_URL: REDIS_URL must be a redis:// or rediss:// URL'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL: LOG_LEVEL must be one of the following values: fatal, error, warn'],
    ['METRICS_ENABLED', 'yes', 'METRICS_ENABLED: METRICS_ENABLED must be one of the following values: true'],
    ['SHUTDOWN_TIMEOUT_MS', '-1', 'SHUTDOWN_TIMEOUT_MS: SHUTDOWN_TIMEOUT_MS must not be less than 0'],
    ['AUTH_CACHE_TTL_MS', '60001', 'AUTH_CACHE_TTL_MS: AUTH_CACHE_TTL_MS must not be greater than 60000'],
    ['AUTH_CACHE_TTL_MS', '1s', 'AUTH_CACHE_TTL_MS must be an integer (got "1s")'],
    [
      'AUTH_NEGATIVE_CACHE_TTL_MS',
      '60001',
      'AUTH_NEGATIVE_CACHE_TTL_MS: AUTH_NEGATIVE_CACHE_TTL_MS must not be greater than 60000',
    ],
    ['AUTH_FAILURE_LIMIT', '-1', 'AUTH_FAILURE_LIMIT: AUTH_FAILURE_LIMIT must not be less than 0'],
    ['AUTH_FAILURE_LIMIT', '1.5', 'AUTH_FAILURE_LIMIT must be an integer (got "1.5")'],
    [
      'AUTH_FAILURE_WINDOW_MS',
      '999',
      'AUTH_FAILURE_WINDOW_MS: AUTH_FAILURE_WINDOW_MS must not be less than 1000',
    ],
    ['TICKET_QUEUE_LIMIT', '-1', 'TICKET_QUEUE_LIMIT: TICKET_QUEUE_LIMIT must not be less than 0'],
    [
      'WORKSPACE_DB_CONNECTIONS',
      '0',
      'WORKSPACE_DB_CONNECTIONS: WORKSPACE_DB_CONNECTIONS must not be less than 1',
    ],
    ['HOST', 'localhost', 'HOST: HOST must be an IP address (0.0.0.0: every IPv4 interface'],
    ['METRICS_HOST', '*', 'METRICS_HOST: METRICS_HOST must be an IP address (got "*")'],
    ['METRICS_PORT', '65536', 'METRICS_PORT: METRICS_PORT must not be greater than 65535'],
    ['METRICS_PORT', '3000', 'METRICS_PORT must differ from PORT (both 3000)'],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(problems({ [name]: value })).toContain(message);
  });

  it('reports every bad variable at once, one per line, and nothing about the good ones', () => {
    const message = problems({
      PORT: 'abc',
      DB_POOL_SIZE: '0',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://x',
      METRICS_ENABLED: 'false',
    });
    const lines = message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(
      lines
        .slice(1)
        .map((line) => line.match(/^ {2}- ([A-Z_0-9]+)/)?.[1])
        .sort(),
    ).toEqual(['DB_POOL_SIZE', 'LOG_LEVEL', 'PORT', 'REDIS_URL']);
  });
});
