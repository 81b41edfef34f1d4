import {
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

/**
 * How a variable's text becomes its value, before validation. Text it cannot convert is returned unchanged, so
 * the type check among the validators refuses it with a message (as class-transformer's @Type/@Transform leave
 * it to class-validator in Immich's env.dto.ts).
 */
type Parser<T> = (raw: string) => T | string;

const integer: Parser<number> = (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
const decimal: Parser<number> = (raw) => (/^\d+(\.\d+)?([eE]-?\d+)?$/.test(raw.trim()) ? Number(raw) : raw);
const flag: Parser<boolean> = (raw) => (raw === 'true' ? true : raw === 'false' ? false : raw);
const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

const PARSERS = new Map<string, Parser<unknown>>();
const SECRETS = new Set<string>();

/** Converts the variable's text with `parse`; the property's type must be what `parse` returns. */
function Parse<T>(parse: Parser<T>) {
  return <K extends string>(_target: { [P in K]: T | undefined }, key: K): void => {
    PARSERS.set(key, parse);
  };
}

/** The value may carry credentials (a URL's password): a message about it never repeats it. */
function Secret() {
  return (_target: object, key: string): void => {
    SECRETS.add(key);
  };
}

const INTEGER = { message: '$property must be an integer' };

/**
 * An integer variable within [min, max]: the decorators `@Integer(min, max)`
 * would apply, in the same (bottom-up) order, so the type check is still the message reported first.
 */
function Integer(min: number, max: number) {
  return <K extends string>(target: { [P in K]: number | undefined }, key: K): void => {
    Parse(integer)(target, key);
    Max(max)(target, key);
    Min(min)(target, key);
    IsInt(INTEGER)(target, key);
  };
}
/** A decimal variable within [min, max], as @Integer for integers. */
function Decimal(min: number, max: number) {
  return <K extends string>(target: { [P in K]: number | undefined }, key: K): void => {
    Parse(decimal)(target, key);
    Max(max)(target, key);
    Min(min)(target, key);
    IsNumber({}, { message: '$property must be a number' })(target, key);
  };
}
const BOOLEAN = { message: '$property must be one of the following values: true, false' };

/**
 * Every environment variable the service reads, once: its name, its type (the property's, with @Parse
 * converting the text), its default (the initialiser), its validation and what it means. A property
 * RATE_LIMIT_PER_10S is AppConfig's rateLimitPer10s. Validated once at boot; a bad value stops the process with a
 * message naming the variable. README "Configuration" and .env.example mirror it (config-docs.spec.ts checks).
 *
 * class-validator runs a property's decorators bottom-up and loadConfig reports the first one written, so the
 * type check comes first: "1s" reads "must be an integer", not "must not be less than 0".
 */
export class EnvSchema {
  /** HTTP port the API listens on (0: any free port, logged). */
  @Integer(0, 65535)
  PORT = 3000;

  /** Loopback by default: the quick start is not reachable from the network; the image sets 0.0.0.0. */
  @IsIP(undefined, { message: 'HOST must be an IP address (0.0.0.0: every IPv4 interface, ::: every interface)' })
  HOST = '127.0.0.1';

  /** Unset: an embedded PostgreSQL under DATA_DIR (development only). */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' }) @Secret()
  DATABASE_URL: string | undefined = undefined;

  /** Connections in the pool, per process. */
  @Integer(1, 200)
  DB_POOL_SIZE = 10;

  /** Embedded PostgreSQL data and the demo token (without DATABASE_URL). */
  @IsString()
  DATA_DIR = '.data';

  @Integer(1024, 65535)
  EMBEDDED_PG_PORT = 54329;

  /** Load the demo workspace on the embedded database's first start. */
  @IsBoolean(BOOLEAN) @Parse(flag)
  DEMO_DATA = true;

  /** Larger request bodies get 413. */
  @Integer(1024, 50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = 'info';

  /** The default is set by loadConfig from NODE_ENV: json in production, pretty otherwise. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: 'json' | 'pretty' = 'pretty';

  /** Rate-limit counters shared by every instance; unset: in memory, per process. */
  @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' }) @Secret()
  REDIS_URL: string | undefined = undefined;

  /** Requests per workspace per 10-second window (10,000 a minute). */
  @Integer(1, 1_000_000)
  RATE_LIMIT_PER_10S = 1667;

  @IsBoolean(BOOLEAN) @Parse(flag)
  METRICS_ENABLED = true;

  /**
   * /metrics is served only by a listener of its own on this port and METRICS_HOST. 0: any free port (logged),
   * so two instances on one machine never collide; the image sets 9464.
   */
  @Integer(0, 65535)
  METRICS_PORT = 0;

  @IsIP(undefined, { message: 'METRICS_HOST must be an IP address' })
  METRICS_HOST = '127.0.0.1';

  /** Longest time to receive a request and to wait on any database statement; past it: 503. */
  @Integer(100, 600_000)
  REQUEST_TIMEOUT_MS = 15_000;

  /** On SIGTERM, how long in-flight requests may take before the process exits anyway. */
  @Integer(0, 600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /** Comma-separated origins allowed by CORS; empty means CORS is off. */
  @IsString({ each: true }) @Parse(list)
  CORS_ORIGINS: string[] = [];

  /** How long a valid token's principal may be reused without a lookup; 0 turns the cache off. */
  @Integer(0, 60_000)
  AUTH_CACHE_TTL_MS = 5_000;

  /** How long an unknown token's digest is refused without a lookup; 0 (or AUTH_CACHE_TTL_MS 0) turns it off. */
  @Integer(0, 60_000)
  AUTH_NEGATIVE_CACHE_TTL_MS = 5_000;

  /** Failed authentications allowed per client address per window before 429; 0 turns the limit off. */
  @Integer(0, 1_000_000)
  AUTH_FAILURE_LIMIT = 300;

  @Integer(1_000, 3_600_000)
  AUTH_FAILURE_WINDOW_MS = 60_000;

  /** Updates of one ticket that may wait in this process behind the one running; more get 503 at once. */
  @Integer(0, 100_000)
  TICKET_QUEUE_LIMIT = 100;

  /** Pool connections one workspace's updates may hold at once; loadConfig caps it at DB_POOL_SIZE. */
  @Integer(1, 200)
  WORKSPACE_DB_CONNECTIONS = 5;

  /** Optimistic writes an update tries before it locks the ticket's row (0: always lock; README "Performance"). */
  @Integer(0, 10)
  OPTIMISTIC_WRITE_ATTEMPTS = 2;

  /** Run the webhook delivery worker in the API process; false when workers run apart (`npm run worker`). */
  @IsBoolean(BOOLEAN) @Parse(flag)
  WEBHOOK_WORKER_ENABLED = true;

  /** Notification attempts one worker makes at once. */
  @Integer(1, 200)
  WEBHOOK_CONCURRENCY = 8;

  /** How often a worker looks for due notifications besides being woken (NOTIFY, its own retries, an attempt's end). */
  @Integer(50, 600_000)
  WEBHOOK_POLL_INTERVAL_MS = 1_000;

  /** How long a claimed notification stays with its worker; past it (a worker that died) another takes it. Above the 5-s attempt. */
  @Integer(10_000, 3_600_000)
  WEBHOOK_LEASE_MS = 30_000;

  /** Whether webhooks may reach loopback, private, link-local... addresses. loadConfig's default: false in production. */
  @IsBoolean(BOOLEAN) @Parse(flag)
  WEBHOOK_ALLOW_PRIVATE_URLS = true;

  /** Test and development only: multiplies the retry schedule and its one-day window (0.001: 10 s becomes 10 ms). */
  @Decimal(0.00001, 1)
  WEBHOOK_RETRY_SCALE = 1;

  /** Days a delivered notification is kept (0: deleted at the next cleanup, every 10 minutes). */
  @Integer(0, 3650)
  WEBHOOK_RETENTION_DAYS = 7;

  /** Comma-separated workspace ids (a trailing * matches a prefix) this process's worker delivers for; empty: all. */
  @IsString({ each: true }) @Parse(list)
  WEBHOOK_WORKER_WORKSPACES: string[] = [];
} // prettier-ignore

/** RATE_LIMIT_PER_10S → rateLimitPer10s. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

/** The validated configuration: EnvSchema's values under camelCase names (EnvSchema documents each). */
export type AppConfig = { [K in keyof EnvSchema as CamelCase<K>]: EnvSchema[K] };

function camelCase(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase());
}

export class ConfigError extends Error {}

/** Reads and validates `env`; throws ConfigError listing every bad variable by name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const schema = new EnvSchema();
  if (env.NODE_ENV === 'production') {
    schema.LOG_FORMAT = 'json';
    // BEHAVIOUR.md §7 "Safety": in production, webhooks reach public addresses only unless told otherwise.
    schema.WEBHOOK_ALLOW_PRIVATE_URLS = false;
  }
  for (const name of Object.keys(schema)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    Object.assign(schema, { [name]: (PARSERS.get(name) ?? String)(raw) });
  }
  const problems = validateSync(schema).map((error) => {
    // The first decorator written is the last to run (see EnvSchema): the type check, when it failed.
    const constraint = Object.values(error.constraints ?? {}).at(-1) ?? 'is invalid';
    // URLs may carry credentials: their values are never echoed.
    const got = SECRETS.has(error.property) ? '' : ` (got ${JSON.stringify(env[error.property])})`;
    return `${error.property}: ${constraint}${got}`;
  });
  // Both on one port would fail at listen with EADDRINUSE; say which setting is wrong instead.
  if (problems.length === 0 && schema.METRICS_PORT !== 0 && schema.METRICS_PORT === schema.PORT) {
    problems.push(`METRICS_PORT must differ from PORT (both ${schema.PORT})`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  // One workspace may not hold more connections than the pool has.
  schema.WORKSPACE_DB_CONNECTIONS = Math.min(schema.WORKSPACE_DB_CONNECTIONS, schema.DB_POOL_SIZE);
  // The names match AppConfig's by construction (CamelCase mirrors camelCase; config.spec.ts lists every field).
  return Object.fromEntries(
    Object.entries(schema).map(([name, value]) => [camelCase(name), value]),
  ) as AppConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
