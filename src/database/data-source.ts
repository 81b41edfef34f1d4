import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/** One definition of the connection, shared by the server, the CLI, migrations and the tests. */
export function dataSourceOptions(url: string, poolSize = 10, statementTimeoutMs = 0): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    // The schema changes only through migrations/ (shared/STYLE.md "Data").
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      // Fail fast instead of queueing forever when the database is gone (BEHAVIOUR.md §4: 503).
      connectionTimeoutMillis: 5_000,
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

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource(dataSourceOptions(url, poolSize));
}
