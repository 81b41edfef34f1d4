import { runInNewContext } from 'node:vm';
import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import {
  databaseErrorCode,
  isDatabaseUnavailable,
  isError,
  isRetryableConflict,
  isStatementTimeout,
} from './database-errors';

/** node-postgres's own error class, as its protocol parser builds it from an ErrorResponse. */
function pgError(code: string, message = 'from the server'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** What TypeORM's query() (and prepared-statement.ts) throw: the driver error wrapped, its `code` copied. */
function wrapped(driverError: Error): QueryFailedError {
  return new QueryFailedError('UPDATE tickets SET …', [], driverError);
}

describe('database-errors', () => {
  it.each(['40001', '40P01'])('%s is a retryable conflict, bare or wrapped by TypeORM', (code) => {
    expect(isRetryableConflict(pgError(code))).toBe(true);
    expect(isRetryableConflict(wrapped(pgError(code)))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(pgError(code)))).toBe(false);
  });

  it.each(['57P01', '57P02', '57P03', '53300', '08006', '08003', 'ECONNREFUSED', 'ECONNRESET'])(
    '%s means the database is unavailable',
    (code) => {
      const socket = Object.assign(new Error('socket'), { code });
      expect(isDatabaseUnavailable(code.startsWith('E') ? socket : pgError(code))).toBe(true);
      expect(isDatabaseUnavailable(wrapped(code.startsWith('E') ? socket : pgError(code)))).toBe(true);
      expect(isRetryableConflict(pgError(code))).toBe(false);
    },
  );

  it('reads the code from driverError when the wrapper has none', () => {
    const error = Object.assign(new Error('wrapped'), { driverError: { code: '40P01' } });
    expect(databaseErrorCode(error)).toBe('40P01');
    expect(isRetryableConflict(error)).toBe(true);
  });

  it('a released query runner and pg-pool messages without a code are unavailability', () => {
    expect(isDatabaseUnavailable(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('57014 is a statement timeout, nothing else is', () => {
    expect(isStatementTimeout(wrapped(pgError('57014')))).toBe(true);
    expect(isStatementTimeout(pgError('57014'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('57014'))).toBe(false);
    expect(isStatementTimeout(pgError('23505'))).toBe(false);
  });

  it('a constraint violation or a plain error is none of them', () => {
    for (const error of [wrapped(pgError('23505')), new Error('boom'), new TypeError('x')]) {
      expect(isRetryableConflict(error)).toBe(false);
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(isStatementTimeout(error)).toBe(false);
    }
  });

  it('non-errors are never classified, and never throw', () => {
    for (const value of [undefined, null, 'ECONNRESET', 42, { code: 123 }]) {
      expect(isDatabaseUnavailable(value)).toBe(false);
      expect(isRetryableConflict(value)).toBe(false);
      expect(databaseErrorCode(value)).toBeUndefined();
    }
    // A plain object with a code is still a conflict: the retry only reads `code` (as before).
    expect(isRetryableConflict({ code: '40001' })).toBe(true);
  });

  it('errors made in another realm are recognised', () => {
    const foreign = runInNewContext(
      "Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined })",
    ) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(isError(foreign)).toBe(true);
    expect(isDatabaseUnavailable(foreign)).toBe(true);
    const foreignConflict = runInNewContext("Object.assign(new Error('x'), { code: '40001' })") as unknown;
    expect(isRetryableConflict(foreignConflict)).toBe(true);
    expect(isError({ message: 'looks like one', name: 'Error' })).toBe(false);
  });
});
