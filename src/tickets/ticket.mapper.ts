import { type ApiVersion, contractFor } from '../common/versioning/versions';
import type { TicketState } from './entities/ticket.entity';
import type {
  ContactReferenceDto,
  TicketPartDto,
  TicketResponseDto,
  TicketTypeAttributeDto,
} from './dto/ticket-response.dto';
import type { TicketPartView, TicketTypeAttributeView, TicketView } from './ticket.view';

/** BEHAVIOUR.md §1: internal / external labels per state. */
export const STATE_LABELS = {
  submitted: { internal: 'Submitted', external: 'Submitted' },
  in_progress: { internal: 'In progress', external: 'In progress' },
  waiting_on_customer: { internal: 'Waiting on customer', external: 'Waiting on you' },
  resolved: { internal: 'Resolved', external: 'Resolved' },
} as const satisfies Record<TicketState, { internal: string; external: string }>;

export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** The ticket as the resolved version's contract shows it. Pure: no I/O, no entities. */
export function toTicketResponse(ticket: TicketView, version: ApiVersion) {
  switch (contractFor(version)) {
    case '2.9':
      return toTicket29(ticket);
  }
}

/**
 * `satisfies` the documented schema (dto/ticket-response.dto.ts): a field missing or extra on either side
 * fails to compile.
 */
function toTicket29(ticket: TicketView) {
  const labels = STATE_LABELS[ticket.state];
  return {
    type: 'ticket' as const,
    id: ticket.id,
    ticket_id: ticket.ticketNumber,
    ticket_attributes: ticket.attributes,
    ticket_state: ticket.state,
    ticket_state_internal_label: labels.internal,
    ticket_state_external_label: labels.external,
    ticket_type: {
      type: 'ticket_type' as const,
      id: ticket.type.id,
      name: ticket.type.name,
      description: ticket.type.description,
      icon: ticket.type.icon,
      workspace_id: ticket.workspaceId,
      ticket_type_attributes: {
        type: 'ticket_type_attributes.list' as const,
        ticket_type_attributes: ticket.type.attributes.map((attribute) =>
          toTicketTypeAttribute(attribute, ticket.workspaceId, ticket.type.id),
        ),
      },
      archived: ticket.type.archived,
      created_at: unixSeconds(ticket.type.createdAt),
      updated_at: unixSeconds(ticket.type.updatedAt),
    },
    contacts: {
      type: 'contact.list' as const,
      contacts: ticket.contacts.map(
        (contact) =>
          ({
            type: 'contact' as const,
            id: contact.id,
            external_id: contact.externalId,
          }) satisfies ContactReferenceDto,
      ),
    },
    admin_assignee_id: ticket.adminAssigneeId ?? '0',
    team_assignee_id: ticket.teamAssigneeId ?? '0',
    created_at: unixSeconds(ticket.createdAt),
    updated_at: unixSeconds(ticket.updatedAt),
    ticket_parts: {
      type: 'ticket_part.list' as const,
      ticket_parts: ticket.parts.map(toTicketPart),
      total_count: ticket.totalParts,
    },
    is_shared: ticket.isShared,
  } satisfies TicketResponseDto;
}

function toTicketTypeAttribute(
  attribute: TicketTypeAttributeView,
  workspaceId: string,
  ticketTypeId: string,
) {
  return {
    type: 'ticket_type_attribute' as const,
    id: attribute.id,
    workspace_id: workspaceId,
    name: attribute.name,
    description: attribute.description,
    data_type: attribute.dataType,
    input_options: attribute.inputOptions ?? {},
    order: attribute.order,
    required_to_create: attribute.requiredToCreate,
    required_to_create_for_contacts: attribute.requiredToCreateForContacts,
    visible_on_create: attribute.visibleOnCreate,
    visible_to_contacts: attribute.visibleToContacts,
    default: attribute.isDefault,
    ticket_type_id: Number(ticketTypeId),
    archived: attribute.archived,
    created_at: unixSeconds(attribute.createdAt),
    updated_at: unixSeconds(attribute.updatedAt),
  } satisfies TicketTypeAttributeDto;
}

function toTicketPart(part: TicketPartView) {
  return {
    type: 'ticket_part' as const,
    id: part.id,
    part_type: part.partType,
    body: part.body,
    // BEHAVIOUR.md §1: state fields only on state-change parts, assigned_to only on assignment parts.
    ...(part.partType === 'ticket_state_updated_by_admin'
      ? { previous_ticket_state: part.previousTicketState, ticket_state: part.ticketState }
      : {}),
    created_at: part.createdAtUnix,
    updated_at: part.updatedAtUnix,
    ...(part.partType === 'assignment'
      ? { assigned_to: { type: part.assignedToType ?? 'nobody_admin', id: part.assignedToId } }
      : {}),
    author: { type: part.author.type, id: part.author.id, name: part.author.name, email: part.author.email },
    attachments: part.attachments,
    external_id: part.externalId,
    redacted: part.redacted,
  } satisfies TicketPartDto;
}
