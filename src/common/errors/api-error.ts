import { ERROR_STATUS, type ErrorCode } from './error-codes';

/** The one error a service throws; the exception filter renders it as an `error.list`. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  static invalid(field: string, message: string): ApiError {
    return new ApiError('parameter_invalid', message, field);
  }
}

export type ErrorListBody = {
  type: 'error.list';
  request_id: string | null;
  errors: { code: ErrorCode; message: string; field?: string }[];
};

export function toErrorList(error: ApiError, requestId: string | null): ErrorListBody {
  return {
    type: 'error.list',
    request_id: requestId,
    errors: [{ code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }],
  };
}
