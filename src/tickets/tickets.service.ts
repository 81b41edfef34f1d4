import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import type { RequestContext } from '../common/http/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CONNECT_TIMEOUT_MS } from '../database/data-source';
import { databaseErrorCode, isRetryableConflict } from '../database/database-errors';
import { checkIdempotencyKey, checkIfMatch, ticketEtag } from './preconditions';
import { notificationsFor } from './notification-topics';
import { encodeTicketSnapshot } from './ticket-snapshot';
import { toTicketResponse } from './ticket.mapper';
import type { TicketView } from './ticket.view';
import { TicketsRepository } from './tickets.repository';
import {
  auditChanges,
  type LockedTicket,
  NO_REFERENCES,
  needsReferences,
  planUpdate,
  type TicketChanges,
} from './update-plan';
import { KeyedLimiter } from './update-queue';
import { parseUpdateTicketRequest, type RawBody } from './update-ticket.request';

/** What the client sent besides the body. */
export type UpdateTicketCommand = {
  id: string;
  body: RawBody;
  ifMatch: string | undefined;
  idempotencyKey: string | undefined;
};

/** A ticket's response, serialized once (a replay sends these exact bytes again), and its ETag. */
export type TicketOutcome = { json: string; etag: string; replayed?: boolean };

/** PUT's answer: whether it is the stored response of an earlier request with the same Idempotency-Key. */
export type UpdateOutcome = TicketOutcome & { replayed: boolean };

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

    const locked = await this.tickets.findForUpdate(manager, ctx.workspaceId, command.id);
    if (!locked) throw new ApiError('ticket_not_found', ERROR_MESSAGES.ticketNotFound, 'id');
    const { ticket, subscriptions } = locked;
    if (ctx.requireIfMatch && command.ifMatch === undefined) {
      throw new ApiError('precondition_required', ERROR_MESSAGES.preconditionRequired, 'If-Match');
    }
    checkIfMatch(command.ifMatch, ticketEtag(ticket.id, ticket.version));
    const input = parseUpdateTicketRequest(command.body);
    const references = needsReferences(input)
      ? await this.tickets.findReferences(manager, ctx.workspaceId, {
          performerId: input.performer?.id,
          assigneeId: input.assignee?.id,
          companyId: input.companyId,
        })
      : NO_REFERENCES;
    const plan = planUpdate(ticket, input, references);

    // An update writes and reads the response's parts in one statement, with its webhook notifications
    // (BEHAVIOUR.md §7; none with skip_notifications); a no-op only reads them.
    const notifications =
      plan && !input.skipNotifications ? notificationsFor(ticket, plan, subscriptions) : [];
    const after = plan
      ? await this.tickets.applyUpdate(
          manager,
          ctx.workspaceId,
          ticket.id,
          plan.changes,
          plan.parts,
          {
            requestId: ctx.requestId,
            tokenId: ctx.tokenId,
            adminId: input.performer?.id ?? null,
            botId: ticket.botId,
            changes: auditChanges(ticket, plan.changes),
            idempotencyKey: key ?? null,
            versionBefore: ticket.version,
            skipNotifications: input.skipNotifications ?? false,
          },
          notifications.length > 0
            ? {
                notifications,
                snapshot: encodeTicketSnapshot({ ...ticket, ...viewOf(ticket, plan.changes) }),
              }
            : undefined,
        )
      : {
          updatedAt: ticket.updatedAt,
          version: ticket.version,
          ...(await this.tickets.findRecentParts(manager, ctx.workspaceId, ticket.id)),
        };
    const view: TicketView = {
      ...ticket,
      ...(plan ? viewOf(ticket, plan.changes) : {}),
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

  /**
   * GET /tickets/{id} (BEHAVIOUR.md §6): what `PUT {}` would answer at the request's version, with the same ETag;
   * one statement, no transaction, nothing written.
   */
  async retrieve(ctx: RequestContext, id: string): Promise<TicketOutcome> {
    const read = await this.tickets.readTicket(this.dataSource, ctx.workspaceId, id);
    if (!read) throw new ApiError('ticket_not_found', ERROR_MESSAGES.ticketNotFound, 'id');
    const view: TicketView = { ...read.ticket, parts: read.parts, totalParts: read.total };
    return { json: render(view, ctx), etag: ticketEtag(read.ticket.id, read.ticket.version) };
  }
}

/** The view's fields an update changed, from the plan's new column values. */
function viewOf(ticket: LockedTicket, changes: TicketChanges): Partial<TicketView> {
  const state =
    changes.stateId === ticket.state.id
      ? ticket.state
      : ticket.type.states.find((candidate) => candidate.id === changes.stateId)!;
  return {
    state,
    previousStateId: changes.previousStateId,
    attributes: changes.attributes,
    adminAssigneeId: changes.adminAssigneeId,
    teamAssigneeId: changes.teamAssigneeId,
    isShared: changes.isShared,
    open: changes.open,
    snoozedUntil: changes.snoozedUntil,
    companyId: changes.companyId,
  };
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
