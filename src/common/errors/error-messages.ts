/**
 * Every message an `error.list` carries that a client can match on, written once: the service, the guards,
 * the filter and the middleware throw these, and the OpenAPI examples (tickets/tickets.api-docs.ts)
 * show the same text. Messages with a value in them are functions. The Intercom-Version messages live beside
 * the versions (common/versioning/versions.ts, VERSION_MESSAGES); a field's validation message beside its
 * rule (tickets/dto).
 */
export const ERROR_MESSAGES = {
  unauthorized: 'Access Token Invalid',
  routeNotFound: 'Resource Not Found',
  ticketNotFound: 'Ticket not found',
  /**
   * Intercom's "Assignee not found" first (clients match on it), then which id: the performing admin is
   * checked first, and an unknown one is reported under this code too (BEHAVIOUR.md §2).
   */
  performerNotFound: (adminId: string) => `Assignee not found: no admin ${quoted(adminId)} in this workspace`,
  assigneeNotFound: (assigneeId: string) =>
    `Assignee not found: no admin or team ${quoted(assigneeId)} in this workspace`,
  /** Intercom's words (the 2.12–Preview excerpts' 400 example), for `state` and `ticket_state_id` alike. */
  ticketStateIdInvalid: 'Ticket state id is not valid or is not associated with the ticket type',
  companyNotFound: 'Company not found',
  preconditionRequired: "This workspace requires If-Match with the ticket's ETag on every update",
  preconditionFailed: (currentEtag: string) =>
    `If-Match does not match the ticket's current version (ETag ${currentEtag}); fetch it again and retry`,
  idempotencyKeyInvalid: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
  idempotencyKeyInUse: 'A request with this Idempotency-Key is still in progress; retry after it completes',
  idempotencyKeyReused: 'This Idempotency-Key was already used with a different request (ticket or body)',
  /** Nest's own 413 (no limit known there) says only the first half. */
  bodyTooLarge: (limitBytes?: number) =>
    limitBytes === undefined
      ? 'Request body is too large'
      : `Request body is too large: the limit is ${limitBytes} bytes`,
  notJson: (contentType: string) => `Content-Type must be application/json (got ${quoted(contentType, 100)})`,
  rateLimitExceeded: (limit: number, windowSeconds: number) =>
    `Exceeded rate limit of ${limit} in ${windowSeconds}_seconds`,
  /** 503s of the in-memory queues in front of the pool (tickets.service.ts, update-queue.ts). */
  ticketQueue: {
    full: 'Too many updates of this ticket are waiting; retry shortly',
    timedOut: 'Timed out waiting for earlier updates of this ticket; retry shortly',
  },
  workspaceShare: {
    full: 'Too many concurrent updates in this workspace; retry shortly',
    timedOut: 'Too many concurrent updates in this workspace; retry shortly',
  },
  /** GET /openapi.json?version= naming a version without a document (docs/openapi.ts). */
  noDocumentForVersion: (requested: string, documented: readonly string[]) =>
    `No OpenAPI document for version ${quoted(requested)}: documents exist for ${documented.join(', ')} ` +
    '(Unstable is an alias of Preview)',
  serverError: 'Internal server error',
  databaseUnavailable: 'The service is temporarily unavailable, please retry',
  conflictRetriesExhausted: 'The update conflicted with concurrent updates, please retry',
  statementTimeout: 'The request timed out, please retry',
} as const;

/** What the client sent, quoted and escaped as JSON, clipped to `max` characters. */
function quoted(value: string, max = 64): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
