import { DataSource, type EntityManager, QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

/**
 * A named SQL statement. node-postgres sends a named statement's text once per pool connection (Parse);
 * after that each run is only Bind + Execute, and PostgreSQL reuses the parsed statement and, once it has
 * settled on a generic plan, the plan. For the update's statements that halves PostgreSQL's CPU per request
 * (README "Performance"). TypeORM's `query()` only takes text, hence these helpers.
 *
 * A name must always go with the same text (node-postgres refuses a known name with another text), so
 * statements are module-level constants, never built per call.
 */
export type PreparedStatement = { readonly name: string; readonly text: string };

/** Every name registered by this process, with its text: one statement per name. */
const REGISTERED = new Map<string, string>();

/**
 * Declares a named statement; call it at module level. A name declared twice throws as the module loads:
 * with another text, node-postgres would refuse it on every connection that prepared the first (at the
 * first request, not at boot); with the same text, two constants would hide that they are one statement.
 */
export function preparedStatement(name: string, text: string): PreparedStatement {
  const known = REGISTERED.get(name);
  if (known !== undefined) {
    throw new Error(
      `prepared statement "${name}" is declared twice (${known === text ? 'same text' : 'with another text'}); ` +
        'give each statement its own name',
    );
  }
  REGISTERED.set(name, text);
  return { name, text };
}

/**
 * A declared statement by name, for the benchmark's yardstick (bench/baseline-server.mjs), which must send exactly
 * the service's SQL: it loads the compiled repositories and takes their statements from here.
 */
export function declaredStatement(name: string): PreparedStatement {
  const text = REGISTERED.get(name);
  if (text === undefined) throw new Error(`no prepared statement "${name}" is declared`);
  return { name, text };
}

/** What node-postgres answers; `rowCount` is null for statements that report none. */
export type PreparedResult<Row> = { rows: Row[]; rowCount: number | null };

type PgQueryable = {
  query(config: { name: string; text: string; values: unknown[] }): Promise<PreparedResult<unknown>>;
};

/**
 * Where a statement runs: a transaction (its EntityManager: the statement runs on the transaction's connection)
 * or the data source (any free pool connection, the statement its own transaction).
 */
export type StatementTarget = EntityManager | DataSource;

/**
 * Runs a statement in a transaction (an EntityManager) or on its own (the DataSource: any free pool connection,
 * one statement, one implicit transaction). Errors come back as TypeORM's QueryFailedError, exactly as from
 * `manager.query()` (same `code`, same handling).
 */
export function runStatement<Row>(
  target: StatementTarget,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<Row>> {
  return isDataSource(target)
    ? runPreparedOnPool<Row>(target, statement, values)
    : runPrepared<Row>(target, statement, values);
}

function isDataSource(target: StatementTarget): target is DataSource {
  return target instanceof DataSource;
}

/** Runs a statement on the connection of `manager`'s query runner, i.e. inside its transaction. */
export async function runPrepared<Row>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<Row>> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error(`statement ${statement.name} must run inside a transaction`);
  if (runner.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const connection = (await runner.connect()) as PgQueryable;
  return run<Row>(connection, statement, values);
}

/** Runs a statement on any free connection of the data source's pool (no transaction). */
export async function runPreparedOnPool<Row>(
  dataSource: DataSource,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<Row>> {
  const pool = (dataSource.driver as unknown as { master?: PgQueryable }).master;
  if (!pool) throw new Error('the data source is not initialized');
  return run<Row>(pool, statement, values);
}

async function run<Row>(
  target: PgQueryable,
  statement: PreparedStatement,
  values: unknown[],
): Promise<PreparedResult<Row>> {
  try {
    return (await target.query({
      name: statement.name,
      text: statement.text,
      values,
    })) as PreparedResult<Row>;
  } catch (error) {
    throw new QueryFailedError(statement.text, values, error as Error);
  }
}
