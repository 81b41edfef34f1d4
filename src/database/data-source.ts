import { Logger } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

const logger = new Logger('Database');

/**
 * Every connection of the pool, with an 'error' listener from its construction to its end. node-postgres
 * emits 'error' on a client whose backend dies (57P01 from pg_terminate_backend, a restart, a failover), and
 * an 'error' event nobody listens to kills the process. pg-pool listens only while a client is idle and
 * TypeORM's query runner only once it holds the client, so a FATAL arriving while a client is handed from
 * one user to the next (pool.query() releasing it, a query runner about to attach) crashed the server
 * (issue #9). The listener only logs: pg-pool and the query runner still see the error and drop the client,
 * and the request that was using it fails with 503.
 */
class GuardedClient extends Client {
  /** The backend's process id, once connected (node-postgres sets it; its types do not declare it). */
  declare readonly processID: number | null;

  constructor(readonly config?: string | ClientConfig) {
    super(config);
    OPEN_CLIENTS.add(this);
    this.once('end', () => OPEN_CLIENTS.delete(this));
    let logged = false;
    this.on('error', (error: Error & { code?: string }) => {
      if (logged) return;
      logged = true;
      // The code only: a driver message may name the host and port. No code: node-postgres's "Connection
      // terminated unexpectedly", which a FATAL is followed by when it reached a query first.
      logger.warn(
        `database connection lost (${error.code ?? 'connection terminated'}); the pool replaces it`,
      );
    });
  }
}

/** Every pool connection of this process that has not ended (for cancelRunningStatements). */
const OPEN_CLIENTS = new Set<GuardedClient>();

/**
 * Cancels whatever the pool's connections are running (`pg_cancel_backend`, from a connection of its own), so that
 * a process that must exit before its requests finished (SHUTDOWN_TIMEOUT_MS) leaves none of their statements to
 * complete after it: an update is one statement (tickets.service.ts), and PostgreSQL would otherwise finish one
 * waiting for a row lock once the lock is free, though nobody is there to read the answer. Resolves within
 * `timeoutMs` whatever happens; returns how many backends were asked.
 */
export async function cancelRunningStatements(timeoutMs = 1_000): Promise<number> {
  const clients = [...OPEN_CLIENTS].filter((client) => client.processID !== null);
  const config = clients[0]?.config;
  if (clients.length === 0 || config === undefined) return 0;
  const canceller = new Client(config);
  canceller.on('error', () => undefined);
  const cancel = async () => {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [
      clients.map((client) => client.processID),
    ]);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([cancel(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // Best effort: the process is exiting anyway.
  } finally {
    clearTimeout(timer);
    void canceller.end().catch(() => undefined);
  }
  return clients.length;
}

/** How long a request may wait for a pool connection (and, in memory, for its turn: tickets.service.ts). */
export const CONNECT_TIMEOUT_MS = 5_000;

/** The entity classes a data source maps: src/entities.ts's ENTITIES, or none for migrations alone. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * One definition of the connection, shared by the server, the CLI, migrations and the tests. The entities
 * come from the caller (src/entities.ts) so that database/ does not import the features that import it.
 */
export function dataSourceOptions(
  url: string,
  entities: EntityList,
  poolSize = 10,
  statementTimeoutMs = 0,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    // The schema changes only through migrations/ (shared/STYLE.md "Data").
    synchronize: false,
    logging: false,
    extra: {
      // pg-pool builds its connections with this class (its `Client` option).
      Client: GuardedClient,
      max: poolSize,
      // Fail fast instead of queueing forever when the database is gone (BEHAVIOUR.md §4: 503).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      application_name: 'intercom-tickets-service',
      // A request never waits on the database longer than the request timeout (0: no limit, for the CLI);
      // PostgreSQL cancels the statement (57014) and the client gets 503 (README "Timeouts").
      ...(statementTimeoutMs > 0
        ? { statement_timeout: statementTimeoutMs, idle_in_transaction_session_timeout: statementTimeoutMs }
        : {}),
    },
  };
}

export function createDataSource(url: string, entities: EntityList, poolSize = 10): DataSource {
  return new DataSource(dataSourceOptions(url, entities, poolSize));
}
