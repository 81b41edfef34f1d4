import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import type { RequestContext } from '../common/http/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CONNECT_TIMEOUT_MS } from '../database/data-source';
import { databaseErrorCode, isRetryableConflict } from '../database/database-errors';
import { diffAttributes } from './attribute-values';
import type { AttributeValue } from './entities/ticket.entity';
import { checkIdempotencyKey, checkIfMatch, ticketEtag } from './preconditions';
import { toTicketResponse } from './ticket.mapper';
import type { TicketView } from './ticket.view';
import {
  type AuditRecord,
  type LockedTicket,
  type NewPart,
  type TicketChanges,
  TicketsRepository,
} from './tickets.repository';
import { KeyedLimiter } from './update-queue';
import { parseUpdateTicketRequest, type RawBody, type UpdateTicketInput } from './update-ticket.request';

/** What the client sent besides the body. */
export type UpdateTicketCommand = {
  id: string;
  body: RawBody;
  ifMatch: string | undefined;
  idempotencyKey: string | undefined;
};

/** The response, serialized once: a replay sends these exact bytes again. */
export type UpdateOutcome = { json: string; etag: string; replayed: boolean };

/**
 * What a transaction hands back: the serialized response when it had to be stored with an Idempotency-Key
 * (or is a replay), otherwise the view, serialized only after COMMIT so the row lock and the connection are
 * held no longer than the SQL needs.
 */
type TransactionResult = UpdateOutcome | { view: TicketView; etag: string };

const MAX_ATTEMPTS = 3;

@Injectable()
export class TicketsService {
  private readonly logger = new Logger(TicketsService.name);
  /** One update per ticket at a time in this process; the others wait here, without a connection. */
  private readonly ticketQueue: KeyedLimiter;
  /** At most `workspaceDbConnections` of one workspace's updates hold pool connections at once. */
  private readonly workspaceShare: KeyedLimiter;
  /** Idempotency-Keys (per workspace) whose first request is running in this process. */
  private readonly keysInFlight = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ticketQueue = new KeyedLimiter({
      concurrency: 1,
      maxWaiting: config.ticketQueueLimit,
      maxWaitMs: CONNECT_TIMEOUT_MS,
      refusal: ERROR_MESSAGES.ticketQueue,
    });
    this.workspaceShare = new KeyedLimiter({
      concurrency: config.workspaceDbConnections,
      maxWaiting: Number.POSITIVE_INFINITY,
      maxWaitMs: CONNECT_TIMEOUT_MS,
      refusal: ERROR_MESSAGES.workspaceShare,
    });
  }

  /**
   * PUT /tickets/{id}: one transaction. The ticket row is locked first, so concurrent updates of one ticket
   * apply one after the other and each sees the last one's result (none is lost). Everything is validated
   * before the single write; any error rolls the whole request back.
   *
   * Before it takes a connection, an update waits in memory for the previous update of the same ticket in
   * this process, and for a free share of its workspace's connections (issue #9): a burst on one ticket then
   * holds one pool connection instead of all of them, so other tickets, other workspaces and readiness keep
   * theirs. The row lock still serializes updates across processes. A queue that is full, or a wait longer
   * than the pool's own acquire timeout, is a 503 with Retry-After and writes nothing.
   */
  async update(ctx: RequestContext, command: UpdateTicketCommand): Promise<UpdateOutcome> {
    const key = checkIdempotencyKey(command.idempotencyKey);
    if (!key) return this.queued(ctx, command, undefined);
    // Stripe's contract (409 while the first request with a key runs) must not turn into waiting in the
    // ticket's queue: a second request with a key already running here is refused before it queues. The
    // advisory lock in the transaction does the same across processes.
    const inFlight = `${ctx.workspaceId}\n${key}`;
    if (this.keysInFlight.has(inFlight)) throw keyInUse();
    this.keysInFlight.add(inFlight);
    try {
      return await this.queued(ctx, command, key);
    } finally {
      this.keysInFlight.delete(inFlight);
    }
  }

  private queued(
    ctx: RequestContext,
    command: UpdateTicketCommand,
    key: string | undefined,
  ): Promise<UpdateOutcome> {
    return this.ticketQueue.run(`${ctx.workspaceId}\n${command.id}`, () =>
      this.workspaceShare.run(ctx.workspaceId, () => this.withRetries(ctx, command, key)),
    );
  }

  /** A serialization failure or deadlock runs the transaction again, at most MAX_ATTEMPTS times. */
  private async withRetries(
    ctx: RequestContext,
    command: UpdateTicketCommand,
    key: string | undefined,
  ): Promise<UpdateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.dataSource.transaction((manager) =>
          this.updateOnce(manager, ctx, command, key),
        );
        if ('json' in result) return result;
        return { json: render(result.view, ctx), etag: result.etag, replayed: false };
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        this.logger.warn(
          `request ${ctx.requestId}: ${databaseErrorCode(error)} on attempt ${attempt}, retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  private async updateOnce(
    manager: EntityManager,
    ctx: RequestContext,
    command: UpdateTicketCommand,
    key: string | undefined,
  ): Promise<TransactionResult> {
    const requestHash = key ? hashRequest(command) : undefined;
    if (key) {
      // Stripe's contract: one request per key at a time (409), the same request replayed (200), another
      // request with the same key refused (422). Held until this transaction ends.
      if (!(await this.tickets.lockIdempotencyKey(manager, ctx.workspaceId, key))) throw keyInUse();
      const stored = await this.tickets.findStoredResponse(manager, ctx.workspaceId, key);
      if (stored) {
        if (!stored.requestHash.equals(requestHash!)) {
          throw new ApiError(
            'idempotency_key_reused',
            ERROR_MESSAGES.idempotencyKeyReused,
            'Idempotency-Key',
          );
        }
        return { json: stored.response, etag: stored.etag, replayed: true };
      }
    }

    const ticket = await this.tickets.findForUpdate(manager, ctx.workspaceId, command.id);
    if (!ticket) throw new ApiError('ticket_not_found', ERROR_MESSAGES.ticketNotFound, 'id');
    if (ctx.requireIfMatch && command.ifMatch === undefined) {
      throw new ApiError('precondition_required', ERROR_MESSAGES.preconditionRequired, 'If-Match');
    }
    checkIfMatch(command.ifMatch, ticketEtag(ticket.id, ticket.version));
    const input = parseUpdateTicketRequest(command.body);
    const plan = await this.plan(manager, ctx, ticket, input);

    // An update writes and reads the response's parts in one statement; a no-op only reads them.
    const after = plan
      ? await this.tickets.applyUpdate(manager, ctx.workspaceId, ticket.id, plan.changes, plan.parts, {
          requestId: ctx.requestId,
          tokenId: ctx.tokenId,
          adminId: input.assignment?.adminId ?? null,
          botId: ticket.botId,
          changes: auditChanges(ticket, plan.changes),
          idempotencyKey: key ?? null,
          versionBefore: ticket.version,
        })
      : {
          updatedAt: ticket.updatedAt,
          version: ticket.version,
          ...(await this.tickets.findRecentParts(manager, ctx.workspaceId, ticket.id)),
        };
    const next = plan?.changes ?? ticket;
    const view: TicketView = {
      ...ticket,
      ...next,
      updatedAt: after.updatedAt,
      parts: after.parts,
      totalParts: after.total,
    };
    const etag = ticketEtag(ticket.id, after.version);
    if (!key) return { view, etag };
    const json = render(view, ctx);
    await this.tickets.storeResponse(manager, ctx.workspaceId, key, {
      requestHash: requestHash!,
      ticketId: ticket.id,
      status: 200,
      etag,
      response: json,
    });
    return { json, etag, replayed: false };
  }

  /** Works out the new values and the parts they create (BEHAVIOUR.md §3); null when nothing changes. */
  private async plan(
    manager: EntityManager,
    ctx: RequestContext,
    ticket: LockedTicket,
    input: UpdateTicketInput,
  ): Promise<{ changes: TicketChanges; parts: NewPart[] } | null> {
    const parts: NewPart[] = [];
    const changes: TicketChanges = {
      state: ticket.state,
      attributes: ticket.attributes,
      adminAssigneeId: ticket.adminAssigneeId,
      teamAssigneeId: ticket.teamAssigneeId,
      isShared: ticket.isShared,
    };

    if (input.ticketAttributes) {
      const attributeChanges = diffAttributes(
        ticket.type.attributes.map((a) => ({
          name: a.name,
          dataType: a.dataType,
          requiredToCreate: a.requiredToCreate,
          inputOptions: a.inputOptions,
        })),
        input.ticketAttributes,
        ticket.attributes,
      );
      if (attributeChanges.length > 0) {
        // A Map, then Object.fromEntries: names like `__proto__` stay own keys (an assignment would not).
        const merged = new Map<string, AttributeValue>(Object.entries(ticket.attributes));
        for (const change of attributeChanges) {
          // BEHAVIOUR.md §2: null clears; a cleared attribute is dropped from the stored object (README).
          if (change.value === null) merged.delete(change.name);
          else merged.set(change.name, change.value);
          parts.push({ partType: 'ticket_attribute_updated_by_admin', authorId: ticket.botId });
        }
        changes.attributes = Object.fromEntries(merged);
      }
    }

    if (input.state !== undefined && input.state !== ticket.state) {
      parts.push({
        partType: 'ticket_state_updated_by_admin',
        authorId: ticket.botId,
        ticketState: input.state,
        previousTicketState: ticket.state,
      });
      changes.state = input.state;
    }

    if (input.isShared !== undefined) changes.isShared = input.isShared;

    if (input.assignment) {
      const assignmentPart = await this.assign(manager, ctx, changes, input.assignment);
      if (assignmentPart) parts.push(assignmentPart);
    }

    const changed = parts.length > 0 || changes.isShared !== ticket.isShared;
    return changed ? { changes, parts } : null;
  }

  /** Applies an assignment to `changes` and returns its part, or null when the assignee is unchanged. */
  private async assign(
    manager: EntityManager,
    ctx: RequestContext,
    changes: TicketChanges,
    assignment: { adminId: string; assigneeId: string },
  ): Promise<NewPart | null> {
    const unassign = assignment.assigneeId === '0';
    const targets = await this.tickets.findAssignmentTargets(
      manager,
      ctx.workspaceId,
      assignment.adminId,
      unassign ? '' : assignment.assigneeId,
    );
    // BEHAVIOUR.md §2: an unknown performing admin is reported as assignee_not_found too (README "field").
    if (!targets.performerExists) {
      throw new ApiError(
        'assignee_not_found',
        ERROR_MESSAGES.performerNotFound(assignment.adminId),
        'assignment.assignee_id',
      );
    }
    if (!unassign && targets.assignee === null) {
      throw new ApiError(
        'assignee_not_found',
        ERROR_MESSAGES.assigneeNotFound(assignment.assigneeId),
        'assignment.assignee_id',
      );
    }
    const base = { partType: 'assignment' as const, authorId: assignment.adminId };
    if (unassign) {
      if (changes.adminAssigneeId === null && changes.teamAssigneeId === null) return null;
      changes.adminAssigneeId = null;
      changes.teamAssigneeId = null;
      return { ...base, assignedToType: 'nobody_admin', assignedToId: null };
    }
    if (targets.assignee === 'admin') {
      if (changes.adminAssigneeId === assignment.assigneeId) return null;
      changes.adminAssigneeId = assignment.assigneeId;
      return { ...base, assignedToType: 'admin', assignedToId: assignment.assigneeId };
    }
    if (changes.teamAssigneeId === assignment.assigneeId) return null;
    changes.teamAssigneeId = assignment.assigneeId;
    return { ...base, assignedToType: 'team', assignedToId: assignment.assigneeId };
  }
}

function keyInUse(): ApiError {
  return new ApiError('idempotency_key_in_use', ERROR_MESSAGES.idempotencyKeyInUse, 'Idempotency-Key');
}

function render(view: TicketView, ctx: RequestContext): string {
  return JSON.stringify(toTicketResponse(view, ctx.version));
}

/** Method, ticket and exact body bytes: a retry must be the same request to be replayed. */
function hashRequest(command: UpdateTicketCommand): Buffer {
  return createHash('sha256')
    .update(`PUT /tickets/${command.id}\n`)
    .update(command.body.bytes ?? Buffer.alloc(0))
    .digest();
}

/**
 * Each changed field's before and after, for the audit row. Attribute names are data: a plain
 * `attributes[name]` for an attribute named `__proto__` or `constructor` that the ticket lacks reads
 * Object.prototype's member instead of "unset" (issue #9), so only own keys count.
 */
export function auditChanges(ticket: LockedTicket, next: TicketChanges): AuditRecord['changes'] {
  const changes = new Map<string, { before: unknown; after: unknown }>();
  const note = (field: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) {
      changes.set(field, { before: before ?? null, after: after ?? null });
    }
  };
  note('state', ticket.state, next.state);
  note('is_shared', ticket.isShared, next.isShared);
  note('admin_assignee_id', ticket.adminAssigneeId, next.adminAssigneeId);
  note('team_assignee_id', ticket.teamAssigneeId, next.teamAssigneeId);
  const names = new Set([...Object.keys(ticket.attributes), ...Object.keys(next.attributes)]);
  for (const name of names) {
    note(`ticket_attributes.${name}`, ownValue(ticket.attributes, name), ownValue(next.attributes, name));
  }
  return Object.fromEntries(changes);
}

/** The value stored under `name`, or null when the object has no own key of that name. */
function ownValue(attributes: Readonly<Record<string, AttributeValue>>, name: string): AttributeValue {
  return Object.hasOwn(attributes, name) ? attributes[name] : null;
}
