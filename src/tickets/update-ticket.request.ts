import { validateSync, type ValidationError } from 'class-validator';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { AssignmentDto, type SettableState, UpdateTicketDto } from './dto/update-ticket.dto';

/** The request body as it arrived: bytes and their declared type, not yet trusted. */
export type RawBody = { bytes: Buffer | undefined; contentType: string | undefined };

/** An id the request names, and the field it came in (errors name the field sent: BEHAVIOUR.md §6). */
export type NamedId = { id: string; field: string };

/**
 * A validated update, the same at every version (BEHAVIOUR.md §6), ids normalised to strings. Absent means not
 * sent; `companyId: null` removes the company.
 */
export type UpdateTicketInput = {
  ticketAttributes?: Record<string, unknown>;
  /** A category: the type's default state of it, unless the ticket is already in that category. */
  state?: SettableState;
  /** An exact state of the ticket's type. */
  ticketStateId?: NamedId;
  isShared?: boolean;
  /** The admin performing the update: `assignment.admin_id`, or top-level `admin_id` (2.14). */
  performer?: NamedId;
  /** The admin or team to assign ("0" unassigns): `assignment.assignee_id`, or top-level `assignee_id`. */
  assignee?: NamedId;
  open?: boolean;
  snoozedUntil?: number;
  companyId?: string | null;
  skipNotifications?: boolean;
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
  // Every field any version defines is read (BEHAVIOUR.md §6); others are ignored (§2).
  let sent = 0;
  for (const field of PLAIN_FIELDS) {
    if (Object.hasOwn(body, field) && body[field] !== undefined) {
      (dto as Record<(typeof PLAIN_FIELDS)[number], unknown>)[field] = body[field];
      sent++;
    }
  }
  // Nothing to check in a body that sends none of them (`{}`): every field is optional, and class-validator's
  // walk over the DTO's metadata is the no-op's largest allocation (README "Performance").
  if (sent === 0 && body.assignment == null) return {};
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

  // `null` for a top-level field means "not sent" (README, decided behaviours), but for company_id, where it
  // removes the company (BEHAVIOUR.md §6).
  const input: UpdateTicketInput = {};
  if (dto.ticket_attributes != null) input.ticketAttributes = dto.ticket_attributes;
  if (dto.state != null) input.state = dto.state;
  if (dto.ticket_state_id != null) input.ticketStateId = named(dto.ticket_state_id, 'ticket_state_id');
  if (dto.is_shared != null) input.isShared = dto.is_shared;
  if (dto.open != null) input.open = dto.open;
  if (dto.snoozed_until != null) input.snoozedUntil = dto.snoozed_until;
  if (dto.company_id !== undefined) input.companyId = dto.company_id;
  if (dto.skip_notifications != null) input.skipNotifications = dto.skip_notifications;
  const topLevel = dto.admin_id != null || dto.assignee_id != null;
  if (dto.assignment != null && topLevel) {
    throw ApiError.invalid(
      'assignment',
      'Send either assignment {admin_id, assignee_id} or top-level admin_id and assignee_id, not both',
    );
  }
  if (dto.assignment != null) {
    input.performer = named(dto.assignment.admin_id, 'assignment.admin_id');
    input.assignee = named(dto.assignment.assignee_id, 'assignment.assignee_id');
  }
  if (dto.admin_id != null) input.performer = named(dto.admin_id, 'admin_id');
  if (dto.assignee_id != null) input.assignee = named(dto.assignee_id, 'assignee_id');
  if (input.snoozedUntil !== undefined && input.open === false) {
    throw ApiError.invalid(
      'snoozed_until',
      'snoozed_until cannot be sent with open: false (a closed ticket is not snoozed)',
    );
  }
  return input;
}

/** Top-level fields copied onto the DTO as sent, for class-validator to check. */
const PLAIN_FIELDS = [
  'ticket_attributes',
  'state',
  'ticket_state_id',
  'is_shared',
  'open',
  'snoozed_until',
  'company_id',
  'admin_id',
  'assignee_id',
  'skip_notifications',
] as const;

function named(id: string | number, field: string): NamedId {
  return { id: String(id), field };
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
