import type { ApiVersion } from '../common/versioning/versions';
import type {
  ContactReferenceDto,
  TicketPartDto,
  TicketResponseDto,
  TicketTypeAttributeDto,
} from './dto/ticket-response.dto';
import type { TicketPartView, TicketTypeAttributeView, TicketView } from './ticket.view';
import type { WireTicket } from './versions/ticket-version-change';
import { ticketTransformsFor } from './versions/ticket-versions';

export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/**
 * The ticket as the resolved version shows it: the 2.9 body, then each later version's change in order
 * (versions/ticket-versions.ts). Pure: no I/O, no entities.
 */
export function toTicketResponse(ticket: TicketView, version: ApiVersion): WireTicket {
  let body: WireTicket = toTicket29(ticket);
  for (const transform of ticketTransformsFor(version)) body = transform(body, ticket);
  return body;
}

/**
 * The 2.9 body, which every later version starts from. `satisfies` the documented schema
 * (dto/ticket-response.dto.ts): a field missing or extra on either side fails to compile. A custom state shows
 * its category and its own labels (BEHAVIOUR.md §6).
 */
export function toTicket29(ticket: TicketView) {
  return {
    type: 'ticket' as const,
    id: ticket.id,
    ticket_id: ticket.ticketNumber,
    ticket_attributes: ticket.attributes,
    ticket_state: ticket.state.category,
    ticket_state_internal_label: ticket.state.internalLabel,
    ticket_state_external_label: ticket.state.externalLabel,
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

/**
 * A part as 2.9 shows it. BEHAVIOUR.md §1: state fields only on state-change parts, assigned_to only on
 * assignment parts. Three literal shapes rather than conditional spreads: a part of a response of 500 is built
 * without temporary objects, and JSON.stringify meets three object layouts instead of one per mix of spreads
 * (README "Performance"). The author is the view's own object, already in the wire's key order.
 */
function toTicketPart(part: TicketPartView) {
  if (part.partType === 'ticket_state_updated_by_admin') {
    return {
      type: 'ticket_part',
      id: part.id,
      part_type: part.partType,
      body: part.body,
      previous_ticket_state: part.previousTicketState,
      ticket_state: part.ticketState,
      created_at: part.createdAtUnix,
      updated_at: part.updatedAtUnix,
      author: part.author,
      attachments: part.attachments,
      external_id: part.externalId,
      redacted: part.redacted,
    } satisfies TicketPartDto;
  }
  if (part.partType === 'assignment') {
    return {
      type: 'ticket_part',
      id: part.id,
      part_type: part.partType,
      body: part.body,
      created_at: part.createdAtUnix,
      updated_at: part.updatedAtUnix,
      assigned_to: { type: part.assignedToType ?? 'nobody_admin', id: part.assignedToId },
      author: part.author,
      attachments: part.attachments,
      external_id: part.externalId,
      redacted: part.redacted,
    } satisfies TicketPartDto;
  }
  return {
    type: 'ticket_part',
    id: part.id,
    part_type: part.partType,
    body: part.body,
    created_at: part.createdAtUnix,
    updated_at: part.updatedAtUnix,
    author: part.author,
    attachments: part.attachments,
    external_id: part.externalId,
    redacted: part.redacted,
  } satisfies TicketPartDto;
}
