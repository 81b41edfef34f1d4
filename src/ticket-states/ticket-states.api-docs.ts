import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { BEARER_AUTH } from '../docs/openapi';
import {
  ApiErrorResponse,
  ApiVersionHeader,
  RATE_LIMIT_HEADERS,
  REQUEST_ID_HEADER,
  RETRY_AFTER_HEADER,
  SERVER_ERROR,
  UNAUTHORIZED,
  UNAVAILABLE,
  VERSION_ERRORS,
} from '../tickets/tickets.api-docs';
import { TicketStateListDto } from './dto/ticket-state-list.dto';

/**
 * The OpenAPI description of GET /ticket_states (BEHAVIOUR.md §6), in the documents of 2.12 on (@MinVersion). Its
 * tag is the controller's (a class-level tag keeps @nestjs/swagger from adding one named after the class).
 */
export function ApiListTicketStates() {
  return applyDecorators(
    ApiBearerAuth(BEARER_AUTH),
    ApiOperation({
      operationId: 'listTicketStates',
      summary: 'List all ticket states',
      description:
        'You can get a list of all ticket states for a workspace: archived ones included, each with the ticket ' +
        'types it is associated with (in a short form: `ticket_state_ticket_type`).',
    }),
    ApiVersionHeader(),
    ApiOkResponse({
      type: TicketStateListDto,
      description: 'successful',
      headers: {
        'Intercom-Version': {
          description: 'The version the request was served with.',
          schema: { type: 'string' },
        },
        ...REQUEST_ID_HEADER,
        ...RATE_LIMIT_HEADERS,
      },
    }),
    ApiErrorResponse(400, 'Invalid version (ticket states exist from 2.12 on)', VERSION_ERRORS),
    ApiErrorResponse(401, 'Unauthorized', UNAUTHORIZED),
    ApiErrorResponse(500, 'Server error', SERVER_ERROR),
    ApiErrorResponse(503, 'Database unreachable or request timed out', UNAVAILABLE, RETRY_AFTER_HEADER),
  );
}
