import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ApiError } from '../common/errors/api-error';
import type { RequestContext } from '../common/http/request-context';
import { diffAttributes } from './attribute-values';
import type { AttributeValue } from './entities/ticket.entity';
import { toTicketResponse } from './ticket.mapper';
import { type LockedTicket, type NewPart, type TicketChanges, TicketsRepository } from './tickets.repository';
import { parseUpdateTicketRequest, type RawBody, type UpdateTicketInput } from './update-ticket.request';

@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsRepository,
  ) {}

  /**
   * PUT /tickets/{id}: one transaction. The ticket row is locked first, so concurrent updates of one ticket
   * apply one after the other and each sees the last one's result (none is lost). Everything is validated
   * before the single write; any error rolls the whole request back.
   */
  update(ctx: RequestContext, id: string, body: RawBody) {
    return this.dataSource.transaction(async (manager) => {
      const ticket = await this.tickets.findForUpdate(manager, ctx.workspaceId, id);
      if (!ticket) throw new ApiError('ticket_not_found', 'Ticket not found', 'id');
      const input = parseUpdateTicketRequest(body);
      const plan = await this.plan(manager, ctx, ticket, input);

      let updatedAt = ticket.updatedAt;
      if (plan) {
        updatedAt = await this.tickets.applyUpdate(
          manager,
          ctx.workspaceId,
          ticket.id,
          plan.changes,
          plan.parts,
        );
      }
      const { parts, total } = await this.tickets.findRecentParts(manager, ctx.workspaceId, ticket.id);
      const next = plan?.changes ?? ticket;
      return toTicketResponse({ ...ticket, ...next, updatedAt, parts, totalParts: total }, ctx.version);
    });
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
    // BEHAVIOUR.md §2: an unknown performing admin is reported as assignee_not_found too.
    if (!targets.performerExists || (!unassign && targets.assignee === null)) {
      throw new ApiError('assignee_not_found', 'Assignee not found', 'assignment.assignee_id');
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
