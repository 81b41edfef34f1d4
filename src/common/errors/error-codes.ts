import { HttpStatus } from '@nestjs/common';

/** The closed list of error codes this service answers with (shared/spec/BEHAVIOUR.md §4). */
export const ERROR_STATUS = {
  unauthorized: HttpStatus.UNAUTHORIZED,
  intercom_version_invalid: HttpStatus.BAD_REQUEST,
  parameter_invalid: HttpStatus.BAD_REQUEST,
  ticket_not_found: HttpStatus.NOT_FOUND,
  assignee_not_found: HttpStatus.NOT_FOUND,
  company_not_found: HttpStatus.NOT_FOUND,
  ticket_state_id_invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  precondition_failed: HttpStatus.PRECONDITION_FAILED,
  precondition_required: HttpStatus.PRECONDITION_REQUIRED,
  idempotency_key_in_use: HttpStatus.CONFLICT,
  idempotency_key_reused: HttpStatus.UNPROCESSABLE_ENTITY,
  request_entity_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  // Nest's HttpStatus enum has no 431 (RFC 6585).
  request_header_fields_too_large: 431 as HttpStatus,
  request_timeout: HttpStatus.REQUEST_TIMEOUT,
  expectation_failed: HttpStatus.EXPECTATION_FAILED,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  rate_limit_exceeded: HttpStatus.TOO_MANY_REQUESTS,
  server_error: HttpStatus.INTERNAL_SERVER_ERROR,
  service_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
} as const satisfies Record<string, HttpStatus>;

export type ErrorCode = keyof typeof ERROR_STATUS;
