import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

/**
 * Every environment variable the service reads, with its default. Validated once at boot; a bad value
 * stops the process with a message naming the variable. README "Configuration" mirrors this table.
 */
export class EnvSchema {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @IsString()
  DATA_DIR = '.data';

  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @IsIn(['true', 'false'])
  DEMO_DATA: 'true' | 'false' = 'true';

  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

export type AppConfig = {
  port: number;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  dataDir: string;
  embeddedPgPort: number;
  demoData: boolean;
  bodyLimitBytes: number;
  logLevel: EnvSchema['LOG_LEVEL'];
};

const INTEGER_KEYS = ['PORT', 'DB_POOL_SIZE', 'EMBEDDED_PG_PORT', 'BODY_LIMIT_BYTES'] as const;

export class ConfigError extends Error {}

/** Reads and validates `env`; throws ConfigError listing every bad variable by name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const schema = new EnvSchema();
  const problems: string[] = [];
  for (const key of Object.keys(schema) as (keyof EnvSchema)[]) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    if ((INTEGER_KEYS as readonly string[]).includes(key)) {
      if (!/^-?\d+$/.test(raw.trim())) {
        problems.push(`${key} must be an integer (got ${JSON.stringify(raw)})`);
        continue;
      }
      Object.assign(schema, { [key]: Number(raw) });
    } else {
      Object.assign(schema, { [key]: raw });
    }
  }
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL !== '') schema.DATABASE_URL = env.DATABASE_URL;
  for (const error of validateSync(schema)) {
    if (problems.some((p) => p.startsWith(`${error.property} `))) continue;
    const constraint = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
    problems.push(`${error.property}: ${constraint} (got ${JSON.stringify(env[error.property])})`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port: schema.PORT,
    databaseUrl: schema.DATABASE_URL,
    dbPoolSize: schema.DB_POOL_SIZE,
    dataDir: schema.DATA_DIR,
    embeddedPgPort: schema.EMBEDDED_PG_PORT,
    demoData: schema.DEMO_DATA === 'true',
    bodyLimitBytes: schema.BODY_LIMIT_BYTES,
    logLevel: schema.LOG_LEVEL,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
