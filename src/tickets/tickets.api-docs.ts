import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  type HeadersObject,
} from '@nestjs/swagger';
import type { ErrorListBody } from '../common/errors/api-error';
import { ErrorListDto } from '../common/errors/error-list.dto';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { DEMO_IDS } from '../docs/demo-ids';
import { BEARER_AUTH } from '../docs/openapi';
import { DEFAULT_VERSION, NUMBERED_VERSIONS, VERSION_MESSAGES } from '../common/versioning/versions';
import { RATE_LIMIT_WINDOW_SECONDS } from '../rate-limit/rate-limit.service';
import { TicketResponseDto } from './dto/ticket-response.dto';
import { UpdateTicketDto } from './dto/update-ticket.dto';

/** BODY_LIMIT_BYTES' default (README "Configuration"), for the 413 example. */
const DOCUMENTED_BODY_LIMIT_BYTES = 1024 * 1024;

const EXAMPLE_REQUEST_ID = '1d253700-fff8-4664-a0bb-b05242b3b2c0';

export const REQUEST_ID_HEADER: HeadersObject = {
  'X-Request-Id': {
    description: 'The request id, as in error bodies.',
    schema: { type: 'string', format: 'uuid' },
  },
};

// BEHAVIOUR.md §5: on every authenticated response.
export const RATE_LIMIT_HEADERS: HeadersObject = {
  'X-RateLimit-Limit': {
    description: "Requests allowed per 10-second window for the token's workspace.",
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Reset': {
    description: 'When the window resets, in unix seconds.',
    schema: { type: 'integer' },
  },
};

export const RETRY_AFTER_HEADER: HeadersObject = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};

type ErrorExample = {
  summary: string;
  code: ErrorListBody['errors'][number]['code'];
  message: string;
  field?: string;
};

/** Named examples of error.list bodies, as OpenAPI `examples` (also for the version changes' additions). */
export function errorExamples(examples: ErrorExample[]) {
  return Object.fromEntries(
    examples.map(({ summary, code, message, field }) => [
      summary,
      {
        summary,
        value: {
          type: 'error.list',
          request_id: EXAMPLE_REQUEST_ID,
          errors: [{ code, message, ...(field ? { field } : {}) }],
        } satisfies ErrorListBody,
      },
    ]),
  );
}

/** One documented error status: the error.list schema and BEHAVIOUR.md §4's examples for it. */
export function ApiErrorResponse(
  status: number,
  description: string,
  examples: ErrorExample[],
  headers: HeadersObject = {},
) {
  return ApiResponse({
    status,
    description,
    type: ErrorListDto,
    headers: { ...REQUEST_ID_HEADER, ...headers },
    examples: errorExamples(examples),
  });
}

/**
 * The `Intercom-Version` request header. Its default is the document's own version in each version's document
 * (docs/openapi-versions.ts), so "Try it out" sends it; 2.9 here, in the generated document.
 */
export function ApiVersionHeader() {
  return ApiHeader({
    name: 'Intercom-Version',
    required: false,
    description:
      "Intercom API version. By default, the workspace's default version (2.9 unless set). `Unstable` is an " +
      'alias of `Preview`; versions older than 2.9 are answered with 400 `intercom_version_invalid`.',
    schema: {
      type: 'string',
      enum: [...NUMBERED_VERSIONS, 'Preview', 'Unstable'],
      default: DEFAULT_VERSION,
      example: DEFAULT_VERSION,
    },
  });
}

/**
 * What every ticket route documents alike: the token, the version header and the ticket id. The tag is the
 * controller's (a class-level tag keeps @nestjs/swagger from adding one named after the class, twice over).
 */
function ApiTicketRoute() {
  return applyDecorators(
    ApiBearerAuth(BEARER_AUTH),
    ApiVersionHeader(),
    ApiParam({
      name: 'id',
      type: 'string',
      description:
        'The unique identifier for the ticket which is given by Intercom: the `id` field of the ticket object, ' +
        'not the `ticket_id` displayed in the Inbox.',
      example: DEMO_IDS.ticket,
    }),
  );
}

const TICKET_HEADERS: HeadersObject = {
  'Intercom-Version': {
    description: 'The version the request was served with.',
    schema: { type: 'string' },
  },
  ETag: { description: "The ticket's version, for If-Match.", schema: { type: 'string' } },
  ...REQUEST_ID_HEADER,
  ...RATE_LIMIT_HEADERS,
};

export const VERSION_ERRORS: ErrorExample[] = [
  {
    summary: 'Unknown version',
    code: 'intercom_version_invalid',
    message: VERSION_MESSAGES.unknown,
    field: 'Intercom-Version',
  },
  {
    summary: 'Version too old',
    code: 'intercom_version_invalid',
    message: VERSION_MESSAGES.unavailable,
    field: 'Intercom-Version',
  },
];

export const UNAUTHORIZED: ErrorExample[] = [
  { summary: 'Unauthorized', code: 'unauthorized', message: ERROR_MESSAGES.unauthorized },
];

const TICKET_NOT_FOUND: ErrorExample = {
  summary: 'Ticket not found',
  code: 'ticket_not_found',
  message: ERROR_MESSAGES.ticketNotFound,
  field: 'id',
};

export const SERVER_ERROR: ErrorExample[] = [
  { summary: 'Server error', code: 'server_error', message: ERROR_MESSAGES.serverError },
];

export const UNAVAILABLE: ErrorExample[] = [
  { summary: 'Unavailable', code: 'service_unavailable', message: ERROR_MESSAGES.databaseUnavailable },
];

/** The OpenAPI description of GET /tickets/{id} (BEHAVIOUR.md §6: what PUT {} answers, nothing written). */
export function ApiRetrieveTicket() {
  return applyDecorators(
    ApiOperation({
      operationId: 'getTicket',
      summary: 'Retrieve a ticket',
      description:
        'You can fetch the details of a single ticket: the body `PUT {}` would answer, with its ETag.',
    }),
    ApiTicketRoute(),
    ApiOkResponse({ type: TicketResponseDto, description: 'Ticket found', headers: TICKET_HEADERS }),
    ApiErrorResponse(400, 'Invalid version', VERSION_ERRORS),
    ApiErrorResponse(401, 'Unauthorized', UNAUTHORIZED),
    ApiErrorResponse(404, 'Ticket not found', [TICKET_NOT_FOUND]),
    ApiErrorResponse(500, 'Server error', SERVER_ERROR),
    ApiErrorResponse(503, 'Database unreachable or request timed out', UNAVAILABLE, RETRY_AFTER_HEADER),
  );
}

/** The OpenAPI description of PUT /tickets/{id} (update-ticket-2.9.md, BEHAVIOUR.md §4–6). */
export function ApiUpdateTicket() {
  return applyDecorators(
    ApiOperation({
      operationId: 'updateTicket',
      summary: 'Update a ticket',
      description:
        'You can update a ticket. Every field is optional; unknown fields are ignored. One request is one ' +
        'transaction, and the response lists the parts it created.\n\n' +
        "The request body below is this version's, as Intercom describes it. The service accepts the fields of " +
        'every version at every version, with one meaning each (`state` or `ticket_state_id`, nested `assignment` ' +
        'or top-level `admin_id` / `assignee_id`, `open`, `snoozed_until`, `company_id`, `skip_notifications`), ' +
        "so a client may send a later version's request with an earlier `Intercom-Version`; the response is always " +
        "the version's own.",
    }),
    ApiTicketRoute(),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        "Apply the update only if the ticket's current ETag is listed (or `*`); otherwise 412 and nothing is " +
        'written. Required (428 without it) in workspaces that turn that on. Example: `"447.3"` (the ETag of ' +
        'an earlier response). No example value is set, so "Try it out" does not send a stale one (412).',
      schema: { type: 'string' },
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A unique key (1–255 visible ASCII characters) for safe retries: the first 200 response is stored for 24 h ' +
        'and replayed byte for byte with `Idempotent-Replayed: true`. Example: ' +
        '`3f0e4c9a-1b2c-4d5e-8f90-a1b2c3d4e5f6`. Left empty by "Try it out", so each execution is a new request.',
      schema: { type: 'string' },
    }),
    ApiBody({ type: UpdateTicketDto, required: false }),
    ApiOkResponse({
      type: TicketResponseDto,
      description: 'The updated ticket',
      headers: {
        ...TICKET_HEADERS,
        'Idempotent-Replayed': {
          description:
            '`true` when this is the stored response of an earlier request with the same Idempotency-Key.',
          schema: { type: 'string' },
        },
      },
    }),
    ApiErrorResponse(400, 'Invalid version or request body', [
      ...VERSION_ERRORS,
      {
        summary: 'Invalid field',
        code: 'parameter_invalid',
        message: 'state must be one of: in_progress, waiting_on_customer, resolved',
        field: 'state',
      },
    ]),
    ApiErrorResponse(401, 'Unauthorized', UNAUTHORIZED),
    ApiErrorResponse(404, 'Ticket or assignee not found', [
      TICKET_NOT_FOUND,
      {
        summary: 'Assignee not found',
        code: 'assignee_not_found',
        message: ERROR_MESSAGES.assigneeNotFound('12345'),
        field: 'assignment.assignee_id',
      },
    ]),
    ApiErrorResponse(409, 'A request with the same Idempotency-Key is in progress', [
      {
        summary: 'Key in use',
        code: 'idempotency_key_in_use',
        message: ERROR_MESSAGES.idempotencyKeyInUse,
        field: 'Idempotency-Key',
      },
    ]),
    ApiErrorResponse(412, 'If-Match does not match the current ETag; nothing was written', [
      {
        summary: 'Stale',
        code: 'precondition_failed',
        message: ERROR_MESSAGES.preconditionFailed(`"${DEMO_IDS.ticket}.4"`),
        field: 'If-Match',
      },
    ]),
    ApiErrorResponse(413, 'Request body too large', [
      {
        summary: 'Too large',
        code: 'request_entity_too_large',
        message: ERROR_MESSAGES.bodyTooLarge(DOCUMENTED_BODY_LIMIT_BYTES),
      },
    ]),
    ApiErrorResponse(415, 'Request body is not JSON', [
      {
        summary: 'Not JSON',
        code: 'unsupported_media_type',
        message: ERROR_MESSAGES.notJson('text/plain'),
      },
    ]),
    ApiErrorResponse(422, 'The Idempotency-Key was used with another request', [
      {
        summary: 'Key reused',
        code: 'idempotency_key_reused',
        message: ERROR_MESSAGES.idempotencyKeyReused,
        field: 'Idempotency-Key',
      },
    ]),
    ApiErrorResponse(428, 'The workspace requires If-Match', [
      {
        summary: 'If-Match required',
        code: 'precondition_required',
        message: ERROR_MESSAGES.preconditionRequired,
        field: 'If-Match',
      },
    ]),
    ApiErrorResponse(
      429,
      "Over the workspace's rate limit",
      [
        {
          summary: 'Rate limited',
          code: 'rate_limit_exceeded',
          message: ERROR_MESSAGES.rateLimitExceeded(1667, RATE_LIMIT_WINDOW_SECONDS),
        },
      ],
      { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER_HEADER },
    ),
    ApiErrorResponse(500, 'Server error', SERVER_ERROR),
    ApiErrorResponse(
      503,
      'Database unreachable or request timed out; nothing was written',
      UNAVAILABLE,
      RETRY_AFTER_HEADER,
    ),
  );
}
