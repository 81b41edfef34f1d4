import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import type { RequestContext } from '../common/http/request-context';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CONNECT_TIMEOUT_MS } from '../database/data-source';
import { MetricsService } from '../metrics/metrics.service';
import { databaseErrorCode, isRetryableConflict } from '../database/database-errors';
import type { StatementTarget } from '../database/prepared-statement';
import { checkIdempotencyKey, checkIfMatch, ticketEtag } from './preconditions';
import { notificationsFor } from './notification-topics';
import { encodeTicketSnapshot } from './ticket-snapshot';
import { toTicketResponse } from './ticket.mapper';
import type { TicketView } from './ticket.view';
import { PART_WINDOW, type ReferenceIds, type TicketRead, TicketsRepository } from './tickets.repository';
import { auditChanges, type LockedTicket, planUpdate, type TicketChanges } from './update-plan';
import { KeyedLimiter } from './update-queue';
import { parseUpdateTicketRequest, type RawBody, type UpdateTicketInput } from './update-ticket.request';

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

/** What one attempt at an update ends with: the ticket to answer with, and its ETag. */
type Answer = { view: TicketView; etag: string };

/** The request body, parsed before the read but reported after the ticket lookup (BEHAVIOUR.md §4). */
type ParsedBody = { ok: true; input: UpdateTicketInput } | { ok: false; error: unknown };

/** Serialization failures and deadlocks run the update again, at most this many times in all. */
const MAX_ATTEMPTS = 3;

@Injectable()
export class TicketsService {
  private readonly logger = new Logger(TicketsService.name);
  /** One update per ticket at a time in this process; the others wait here, without a connection. */
  private readonly ticketQueue: KeyedLimiter;
  /** At most `workspaceDbConnections` of one workspace's requests hold pool connections at once. */
  private readonly workspaceShare: KeyedLimiter;
  /** Idempotency-Keys (per workspace) whose first request is running in this process. */
  private readonly keysInFlight = new Set<string>();
  /** Optimistic writes an update tries before it locks the row (OPTIMISTIC_WRITE_ATTEMPTS). */
  private readonly optimisticAttempts: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.optimisticAttempts = config.optimisticWriteAttempts;
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
   * PUT /tickets/{id} (README "Performance": optimistic writes). One statement reads the ticket, what the request
   * names and its newest parts; the update is planned and validated in full; one statement writes the ticket, its
   * parts, its audit row and its webhook outbox, but only if the ticket is still at the version read. Each
   * statement is its own transaction: nothing is ever half-written. A no-op answers from the read. When another
   * update committed in between (the write changed nothing), the update is read, validated and planned again;
   * after OPTIMISTIC_WRITE_ATTEMPTS lost races it locks the row (`FOR UPDATE`) and cannot lose. With an
   * Idempotency-Key it always locks, in one transaction with the stored response.
   *
   * Before it takes a connection, an update waits in memory for the previous update of the same ticket in
   * this process, and for a free share of its workspace's connections (issue #9): a burst on one ticket then
   * holds one pool connection instead of all of them, so other tickets, other workspaces and readiness keep
   * theirs, and races are left to other processes. A queue that is full, or a wait longer than the pool's own
   * acquire timeout, is a 503 with Retry-After and writes nothing.
   */
  async update(ctx: RequestContext, command: UpdateTicketCommand): Promise<UpdateOutcome> {
    const key = checkIdempotencyKey(command.idempotencyKey);
    if (!key) return this.queued(ctx, command, () => this.updateOptimistically(ctx, command));
    // Stripe's contract (409 while the first request with a key runs) must not turn into waiting in the
    // ticket's queue: a second request with a key already running here is refused before it queues. The
    // advisory lock in the transaction does the same across processes.
    const inFlight = `${ctx.workspaceId}\n${key}`;
    if (this.keysInFlight.has(inFlight)) throw keyInUse();
    this.keysInFlight.add(inFlight);
    try {
      return await this.queued(ctx, command, () => this.updateWithKey(ctx, command, key));
    } finally {
      this.keysInFlight.delete(inFlight);
    }
  }

  /**
   * GET /tickets/{id} (BEHAVIOUR.md §6): what `PUT {}` would answer at the request's version, with the same ETag;
   * one statement, nothing written.
   */
  async retrieve(ctx: RequestContext, id: string): Promise<TicketOutcome> {
    const read = await this.workspaceShare.run(ctx.workspaceId, () =>
      this.tickets.read(this.dataSource, ctx.workspaceId, id),
    );
    if (!read) throw ticketNotFound();
    return answer(unchanged(read), ctx);
  }

  private queued(
    ctx: RequestContext,
    command: UpdateTicketCommand,
    work: () => Promise<UpdateOutcome>,
  ): Promise<UpdateOutcome> {
    return this.ticketQueue.run(`${ctx.workspaceId}\n${command.id}`, () =>
      this.workspaceShare.run(ctx.workspaceId, () => this.withRetries(ctx, work)),
    );
  }

  /** A serialization failure or deadlock runs the update again, at most MAX_ATTEMPTS times. */
  private async withRetries(ctx: RequestContext, work: () => Promise<UpdateOutcome>): Promise<UpdateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
        this.logger.warn(
          `request ${ctx.requestId}: ${databaseErrorCode(error)} on attempt ${attempt}, retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  /** Read, plan, write if unchanged since; again on a lost race; then under the row lock. */
  private async updateOptimistically(
    ctx: RequestContext,
    command: UpdateTicketCommand,
  ): Promise<UpdateOutcome> {
    const body = parseBody(command.body);
    for (let attempt = 1; attempt <= this.optimisticAttempts; attempt++) {
      const done = await this.attempt(this.dataSource, ctx, command, body, undefined);
      if (done) return { ...answer(done, ctx), replayed: false };
      this.metrics?.writeRaces.inc({ outcome: attempt < this.optimisticAttempts ? 'retried' : 'locked' });
    }
    const locked = await this.dataSource.transaction(async (manager) => {
      if (!(await this.tickets.lock(manager, ctx.workspaceId, command.id))) throw ticketNotFound();
      return this.attempt(manager, ctx, command, body, undefined);
    });
    // Under the row lock nobody else can commit a version in between.
    if (!locked) throw new Error(`ticket ${command.id}: the write lost a race under its row lock`);
    return { ...answer(locked, ctx), replayed: false };
  }

  /**
   * Stripe's contract for an Idempotency-Key: one request per key at a time (409), the same request replayed
   * (200), another request with the same key refused (422); the response stored in the update's transaction.
   */
  private updateWithKey(
    ctx: RequestContext,
    command: UpdateTicketCommand,
    key: string,
  ): Promise<UpdateOutcome> {
    const requestHash = hashRequest(command);
    return this.dataSource.transaction(async (manager) => {
      // Held until this transaction ends.
      if (!(await this.tickets.lockIdempotencyKey(manager, ctx.workspaceId, key))) throw keyInUse();
      const stored = await this.tickets.findStoredResponse(manager, ctx.workspaceId, key);
      if (stored) {
        if (!stored.requestHash.equals(requestHash)) {
          throw new ApiError(
            'idempotency_key_reused',
            ERROR_MESSAGES.idempotencyKeyReused,
            'Idempotency-Key',
          );
        }
        return { json: stored.response, etag: stored.etag, replayed: true };
      }
      if (!(await this.tickets.lock(manager, ctx.workspaceId, command.id))) throw ticketNotFound();
      const done = await this.attempt(manager, ctx, command, parseBody(command.body), key);
      if (!done) throw new Error(`ticket ${command.id}: the write lost a race under its row lock`);
      const { json, etag } = answer(done, ctx);
      await this.tickets.storeResponse(manager, ctx.workspaceId, key, {
        requestHash,
        ticketId: done.view.id,
        status: 200,
        etag,
        response: json,
      });
      return { json, etag, replayed: false };
    });
  }

  /**
   * One read, the checks in BEHAVIOUR.md §4's order (ticket, If-Match, body), the plan, and the write if anything
   * changes; null when the write lost a race (nothing was written). In a transaction or on its own.
   */
  private async attempt(
    target: StatementTarget,
    ctx: RequestContext,
    command: UpdateTicketCommand,
    body: ParsedBody,
    key: string | undefined,
  ): Promise<Answer | null> {
    const read = await this.tickets.read(
      target,
      ctx.workspaceId,
      command.id,
      body.ok ? referenceIds(body.input) : {},
    );
    if (!read) throw ticketNotFound();
    const { ticket } = read;
    if (ctx.requireIfMatch && command.ifMatch === undefined) {
      throw new ApiError('precondition_required', ERROR_MESSAGES.preconditionRequired, 'If-Match');
    }
    checkIfMatch(command.ifMatch, ticketEtag(ticket.id, ticket.version));
    if (!body.ok) throw body.error;
    const input = body.input;
    const plan = planUpdate(ticket, input, read.references);
    if (!plan) return unchanged(read);

    // Webhook notifications (BEHAVIOUR.md §7) go out with the write; none with skip_notifications.
    const notifications = input.skipNotifications ? [] : notificationsFor(ticket, plan, read.subscriptions);
    const next = viewOf(ticket, plan.changes);
    const written = await this.tickets.write(
      target,
      read,
      plan.changes,
      plan.parts,
      {
        requestId: ctx.requestId,
        tokenId: ctx.tokenId,
        adminId: input.performer?.id ?? null,
        botId: ticket.botId,
        changes: auditChanges(ticket, plan.changes),
        idempotencyKey: key ?? null,
        skipNotifications: input.skipNotifications ?? false,
      },
      notifications.length > 0
        ? { notifications, snapshot: encodeTicketSnapshot({ ...ticket, ...next }) }
        : undefined,
    );
    if (!written) return null;
    // The parts the read found are still the newest but for the new ones: the version has not moved.
    const parts = read.parts.concat(written.parts);
    return {
      view: {
        ...ticket,
        ...next,
        updatedAt: written.updatedAt,
        parts: parts.length > PART_WINDOW ? parts.slice(parts.length - PART_WINDOW) : parts,
        totalParts: read.total + written.parts.length,
      },
      etag: ticketEtag(ticket.id, written.version),
    };
  }
}

/** The ticket as read, answered as it is (a no-op, GET). */
function unchanged(read: TicketRead): Answer {
  return {
    view: { ...read.ticket, parts: read.parts, totalParts: read.total },
    etag: ticketEtag(read.ticket.id, read.ticket.version),
  };
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

/** Parses the body now; a bad one is reported once the ticket is known to exist (BEHAVIOUR.md §4's order). */
function parseBody(raw: RawBody): ParsedBody {
  try {
    return { ok: true, input: parseUpdateTicketRequest(raw) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The ids the read asks about: those the request names. */
function referenceIds(input: UpdateTicketInput): ReferenceIds {
  return { performerId: input.performer?.id, assigneeId: input.assignee?.id, companyId: input.companyId };
}

function ticketNotFound(): ApiError {
  return new ApiError('ticket_not_found', ERROR_MESSAGES.ticketNotFound, 'id');
}

function keyInUse(): ApiError {
  return new ApiError('idempotency_key_in_use', ERROR_MESSAGES.idempotencyKeyInUse, 'Idempotency-Key');
}

function answer({ view, etag }: Answer, ctx: RequestContext): TicketOutcome {
  return { json: JSON.stringify(toTicketResponse(view, ctx.version)), etag };
}

/** Method, ticket and exact body bytes: a retry must be the same request to be replayed. */
function hashRequest(command: UpdateTicketCommand): Buffer {
  return createHash('sha256')
    .update(`PUT /tickets/${command.id}\n`)
    .update(command.body.bytes ?? Buffer.alloc(0))
    .digest();
}
