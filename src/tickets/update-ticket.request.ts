import { validateSync, type ValidationError } from 'class-validator';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { AssignmentDto, type SettableState, UpdateTicketDto } from './dto/update-ticket.dto';

/** The request body as it arrived: bytes and their declared type, not yet trusted. */
export type RawBody = { bytes: Buffer | undefined; contentType: string | undefined };

/** A validated 2.9 update with ids normalised to strings. */
export type UpdateTicketInput = {
  ticketAttributes?: Record<string, unknown>;
  state?: SettableState;
  isShared?: boolean;
  assignment?: { adminId: string; assigneeId: string };
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Parses and validates the body. Pure: called by the service after the ticket lookup so that the order of
 * checks is authentication, version, ticket, body (BEHAVIOUR.md §4). Objects are built by hand rather than
 * with class-transformer so that arbitrary nesting inside `ticket_attributes` is never walked.
 */
export function parseUpdateTicketRequest(raw: RawBody): UpdateTicketInput {
  const body = parseJsonObject(raw);
  const dto = new UpdateTicketDto();
  // Only the fields of the 2.9 contract are read; `open`, `snoozed_until`, `ticket_state_id`, ... are ignored.
  if (body.ticket_attributes !== undefined)
    dto.ticket_attributes = body.ticket_attributes as Record<string, unknown>;
  if (body.state !== undefined) dto.state = body.state as SettableState;
  if (body.is_shared !== undefined) dto.is_shared = body.is_shared as boolean;
  if (body.assignment !== undefined && body.assignment !== null) {
    // Checked here rather than by @ValidateNested, which would recurse into arbitrarily nested arrays.
    if (!isPlainObject(body.assignment)) {
      throw ApiError.invalid('assignment', 'assignment must be an object with admin_id and assignee_id');
    }
    dto.assignment = Object.assign(new AssignmentDto(), {
      admin_id: body.assignment.admin_id,
      assignee_id: body.assignment.assignee_id,
    });
  }
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length > 0) throw firstError(errors);

  // `null` for a top-level field means "not sent" (README, decided behaviours).
  const input: UpdateTicketInput = {};
  if (dto.ticket_attributes != null) input.ticketAttributes = dto.ticket_attributes;
  if (dto.state != null) input.state = dto.state;
  if (dto.is_shared != null) input.isShared = dto.is_shared;
  if (dto.assignment != null) {
    input.assignment = {
      adminId: String(dto.assignment.admin_id),
      assigneeId: String(dto.assignment.assignee_id),
    };
  }
  return input;
}

function parseJsonObject(raw: RawBody): Record<string, unknown> {
  const bytes = raw.bytes;
  if (!bytes || bytes.length === 0) return {};
  if (raw.contentType !== undefined && !isJsonContentType(raw.contentType)) {
    throw new ApiError('unsupported_media_type', ERROR_MESSAGES.notJson(raw.contentType));
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw ApiError.invalid('body', 'Request body is not valid UTF-8');
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw ApiError.invalid('body', `Request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw ApiError.invalid('body', 'Request body must be a JSON object');
  return parsed;
}

export function isJsonContentType(contentType: string): boolean {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstError(errors: ValidationError[], prefix = ''): ApiError {
  const error = errors[0];
  const field = prefix + error.property;
  const message = Object.values(error.constraints ?? {})[0];
  if (message) return ApiError.invalid(field, message);
  return firstError(error.children ?? [], `${field}.`);
}
