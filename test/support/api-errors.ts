import { ApiError } from '../../src/common/errors/api-error';

/** Runs `fn` and returns the ApiError it throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, nothing was thrown');
}

/** `fn` throws 400 parameter_invalid naming `field`; returns the error for checks of its message. */
export function expectInvalid(fn: () => unknown, field: string): ApiError {
  const error = errorOf(fn);
  expect({ code: error.code, status: error.status, field: error.field }).toEqual({
    code: 'parameter_invalid',
    status: 400,
    field,
  });
  return error;
}
