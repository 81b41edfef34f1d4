import { IsIn, IsInt, IsIP, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

/**
 * Every environment variable the service reads, with its default. Validated once at boot; a bad value
 * stops the process with a message naming the variable. README "Configuration" and .env.example mirror it.
 */
export class EnvSchema {
  @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  /** Loopback by default: the quick start is not reachable from the network; the image sets 0.0.0.0. */
  @IsIP(undefined, { message: 'HOST must be an IP address (0.0.0.0: every IPv4 interface, ::: every interface)' })
  HOST = '127.0.0.1';

  @IsString() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE = 10;

  @IsString()
  DATA_DIR = '.data';

  @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @IsIn(['true', 'false'])
  DEMO_DATA: 'true' | 'false' = 'true';

  @IsInt() @Min(1024) @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = 'info';

  @IsIn(['json', 'pretty'])
  /** Default set by loadConfig from NODE_ENV: json in production, pretty otherwise. */
  LOG_FORMAT: 'json' | 'pretty' = 'pretty';

  @IsString() @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsInt() @Min(1) @Max(1_000_000)
  RATE_LIMIT_PER_10S = 1667;

  @IsIn(['true', 'false'])
  METRICS_ENABLED: 'true' | 'false' = 'true';

  /** 0: any free port (logged), so two instances on one machine never collide; the image sets 9464. */
  @IsInt() @Min(0) @Max(65535)
  METRICS_PORT = 0;

  @IsIP(undefined, { message: 'METRICS_HOST must be an IP address' })
  METRICS_HOST = '127.0.0.1';

  @IsInt() @Min(100) @Max(600_000)
  REQUEST_TIMEOUT_MS = 15_000;

  @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @IsString()
  CORS_ORIGINS = '';

  @IsInt() @Min(0) @Max(60_000)
  AUTH_CACHE_TTL_MS = 5_000;

  @IsInt() @Min(0) @Max(60_000)
  AUTH_NEGATIVE_CACHE_TTL_MS = 5_000;

  @IsInt() @Min(0) @Max(1_000_000)
  AUTH_FAILURE_LIMIT = 300;

  @IsInt() @Min(1_000) @Max(3_600_000)
  AUTH_FAILURE_WINDOW_MS = 60_000;
  @IsInt() @Min(0) @Max(100_000)
  TICKET_QUEUE_LIMIT = 100;

  @IsInt() @Min(1) @Max(200)
  WORKSPACE_DB_CONNECTIONS = 5;
} // prettier-ignore

export type AppConfig = {
  port: number;
  /** The address the API listens on. */
  host: string;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  dataDir: string;
  embeddedPgPort: number;
  demoData: boolean;
  bodyLimitBytes: number;
  logLevel: EnvSchema['LOG_LEVEL'];
  logFormat: EnvSchema['LOG_FORMAT'];
  redisUrl: string | undefined;
  rateLimitPer10s: number;
  metricsEnabled: boolean;
  /** /metrics is served only by a listener of its own on this port (0: any free port) and host. */
  metricsPort: number;
  metricsHost: string;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  /** How long a valid token's principal may be reused without a lookup; 0 turns the cache off. */
  authCacheTtlMs: number;
  /** How long an unknown token's digest is refused without a lookup; 0 (or authCacheTtlMs 0) turns it off. */
  authNegativeCacheTtlMs: number;
  /** Failed authentications allowed per client address per window before 429; 0 turns the limit off. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Updates of one ticket that may wait in this process behind the one running; more get 503 at once. */
  ticketQueueLimit: number;
  /** Pool connections one workspace's updates may hold at once (at most DB_POOL_SIZE). */
  workspaceDbConnections: number;
};

const INTEGER_KEYS = new Set<string>([
  'PORT',
  'METRICS_PORT',
  'DB_POOL_SIZE',
  'EMBEDDED_PG_PORT',
  'BODY_LIMIT_BYTES',
  'RATE_LIMIT_PER_10S',
  'REQUEST_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'AUTH_CACHE_TTL_MS',
  'AUTH_NEGATIVE_CACHE_TTL_MS',
  'AUTH_FAILURE_LIMIT',
  'AUTH_FAILURE_WINDOW_MS',
  'TICKET_QUEUE_LIMIT',
  'WORKSPACE_DB_CONNECTIONS',
]);

const SECRET_KEYS = new Set(['DATABASE_URL', 'REDIS_URL']);

export class ConfigError extends Error {}

/** Reads and validates `env`; throws ConfigError listing every bad variable by name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const schema = new EnvSchema();
  if (env.NODE_ENV === 'production') schema.LOG_FORMAT = 'json';
  const problems: string[] = [];
  const keys = new Set([...Object.keys(schema), 'DATABASE_URL', 'REDIS_URL']);
  for (const key of keys) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    if (INTEGER_KEYS.has(key) && !/^-?\d+$/.test(raw.trim())) {
      problems.push(`${key} must be an integer (got ${JSON.stringify(raw)})`);
      continue;
    }
    Object.assign(schema, { [key]: INTEGER_KEYS.has(key) ? Number(raw) : raw });
  }
  for (const error of validateSync(schema)) {
    if (problems.some((p) => p.startsWith(`${error.property} `))) continue;
    const constraint = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
    // URLs may carry credentials: their values are never echoed.
    const got = SECRET_KEYS.has(error.property) ? '' : ` (got ${JSON.stringify(env[error.property])})`;
    problems.push(`${error.property}: ${constraint}${got}`);
  }
  // Both on one port would fail at listen with EADDRINUSE; say which setting is wrong instead.
  if (problems.length === 0 && schema.METRICS_PORT !== 0 && schema.METRICS_PORT === schema.PORT) {
    problems.push(`METRICS_PORT must differ from PORT (both ${schema.PORT})`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port: schema.PORT,
    host: schema.HOST,
    databaseUrl: schema.DATABASE_URL,
    dbPoolSize: schema.DB_POOL_SIZE,
    dataDir: schema.DATA_DIR,
    embeddedPgPort: schema.EMBEDDED_PG_PORT,
    demoData: schema.DEMO_DATA === 'true',
    bodyLimitBytes: schema.BODY_LIMIT_BYTES,
    logLevel: schema.LOG_LEVEL,
    logFormat: schema.LOG_FORMAT,
    redisUrl: schema.REDIS_URL,
    rateLimitPer10s: schema.RATE_LIMIT_PER_10S,
    metricsEnabled: schema.METRICS_ENABLED === 'true',
    metricsPort: schema.METRICS_PORT,
    metricsHost: schema.METRICS_HOST,
    requestTimeoutMs: schema.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: schema.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: schema.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    authCacheTtlMs: schema.AUTH_CACHE_TTL_MS,
    authNegativeCacheTtlMs: schema.AUTH_NEGATIVE_CACHE_TTL_MS,
    authFailureLimit: schema.AUTH_FAILURE_LIMIT,
    authFailureWindowMs: schema.AUTH_FAILURE_WINDOW_MS,
    ticketQueueLimit: schema.TICKET_QUEUE_LIMIT,
    workspaceDbConnections: Math.min(schema.WORKSPACE_DB_CONNECTIONS, schema.DB_POOL_SIZE),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
