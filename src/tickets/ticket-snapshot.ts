import type { TicketPartView, TicketView } from './ticket.view';

/**
 * The ticket as an update leaves it, for a webhook event (webhooks/entities/webhook-event.entity.ts): the one
 * internal model without its parts and its time, as JSON. A notification is rendered from it at delivery, in its
 * subscription's version, with the parts of that moment; so every subscriber sees the same ticket, the one that
 * update committed, whatever happened to the ticket since.
 */
export type TicketSnapshot = Omit<TicketView, 'parts' | 'totalParts' | 'updatedAt'>;

/** JSON of a snapshot: Date fields become ISO text (JSON.stringify does that), and decode turns them back. */
export function encodeTicketSnapshot(view: TicketSnapshot): string {
  const { workspaceId, id, ticketNumber, state, previousStateId, attributes } = view;
  const {
    adminAssigneeId,
    teamAssigneeId,
    isShared,
    open,
    snoozedUntil,
    companyId,
    createdAt,
    type,
    contacts,
  } = view;
  // Named, so that an unrelated field added to a LockedTicket-like object (the bot, the version) is not stored.
  return JSON.stringify({
    workspaceId,
    id,
    ticketNumber,
    state,
    previousStateId,
    attributes,
    adminAssigneeId,
    teamAssigneeId,
    isShared,
    open,
    snoozedUntil,
    companyId,
    createdAt,
    type,
    contacts,
  } satisfies TicketSnapshot);
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends object ? Json<T[K]> : T[K] };

/** The view an event's snapshot describes, at `updatedAt` (the event's time), with the parts of that moment. */
export function viewFromSnapshot(
  snapshot: unknown,
  updatedAt: Date,
  parts: TicketPartView[],
  totalParts: number,
): TicketView {
  const json = snapshot as Json<TicketSnapshot>;
  return {
    ...json,
    createdAt: new Date(json.createdAt),
    updatedAt,
    type: {
      ...json.type,
      createdAt: new Date(json.type.createdAt),
      updatedAt: new Date(json.type.updatedAt),
      attributes: json.type.attributes.map((attribute) => ({
        ...attribute,
        createdAt: new Date(attribute.createdAt),
        updatedAt: new Date(attribute.updatedAt),
      })),
      states: json.type.states,
    },
    contacts: json.contacts,
    parts,
    totalParts,
  };
}
