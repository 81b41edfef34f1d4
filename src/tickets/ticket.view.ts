import type { AdminType } from '../workspaces/entities/admin.entity';
import type { AssignedToType, PartAttachment, UpdatedAttributeData } from './entities/ticket-part.entity';
import type { StateCategory } from './entities/ticket-state.entity';
import type { DataType, InputOptions } from './entities/ticket-type-attribute.entity';
import type { TicketCategory } from './entities/ticket-type.entity';
import type { AttributeValue } from './entities/ticket.entity';

/**
 * The one internal model of a ticket: everything any API version shows of it, as the repository reads it.
 * Plain data (entities never leave the service); each version's body is a transform of it (ticket.mapper.ts).
 */
export type TicketView = {
  workspaceId: string;
  id: string;
  ticketNumber: string;
  /** The ticket's state, custom or default. */
  state: TicketStateView;
  /** The state before the latest state change; null when there was none. */
  previousStateId: string | null;
  attributes: Record<string, AttributeValue>;
  adminAssigneeId: string | null;
  teamAssigneeId: string | null;
  isShared: boolean;
  open: boolean;
  /** Unix seconds while the ticket is snoozed (a snooze that has run out reads as null). */
  snoozedUntil: number | null;
  /** Intercom's id of the ticket's company (no version shows it; kept for updates and the audit). */
  companyId: string | null;
  createdAt: Date;
  updatedAt: Date;
  type: TicketTypeView;
  contacts: { id: string; externalId: string | null }[];
  /** The newest parts (at most 500), oldest first. */
  parts: TicketPartView[];
  totalParts: number;
};

export type TicketStateView = {
  id: string;
  category: StateCategory;
  internalLabel: string;
  externalLabel: string;
  archived: boolean;
};

export type TicketTypeView = {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: TicketCategory;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  attributes: TicketTypeAttributeView[];
  /** The states the type's tickets may be in, archived ones included, by id. */
  states: TicketStateView[];
};

export type TicketTypeAttributeView = {
  id: string;
  name: string;
  description: string;
  dataType: DataType;
  inputOptions: InputOptions | null;
  order: number;
  requiredToCreate: boolean;
  requiredToCreateForContacts: boolean;
  visibleOnCreate: boolean;
  visibleToContacts: boolean;
  isDefault: boolean;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export type TicketPartView = {
  id: string;
  partType: string;
  body: string | null;
  ticketState: StateCategory | null;
  previousTicketState: StateCategory | null;
  assignedToType: AssignedToType | null;
  assignedToId: string | null;
  attachments: PartAttachment[];
  externalId: string | null;
  redacted: boolean;
  /** On attribute parts: what changed (null when not known, e.g. imported without it). */
  updatedAttributeData: UpdatedAttributeData | null;
  /**
   * Whole seconds since the epoch, computed by PostgreSQL: a response shows up to 500 parts, and parsing
   * 1,000 timestamps into Dates only to truncate them again was a measurable share of such a response.
   */
  createdAtUnix: number;
  updatedAtUnix: number;
  /** In the wire's key order: responses use this object as it is (ticket.mapper.ts). */
  author: { type: AdminType; id: string; name: string; email: string };
};
