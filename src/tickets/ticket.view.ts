import type { AdminType } from '../workspaces/entities/admin.entity';
import type { PartAttachment, AssignedToType } from './entities/ticket-part.entity';
import type { DataType, InputOptions } from './entities/ticket-type-attribute.entity';
import type { AttributeValue, TicketState } from './entities/ticket.entity';

/** Everything the response needs, as the repository reads it. Plain data: entities never leave the service. */
export type TicketView = {
  workspaceId: string;
  id: string;
  ticketNumber: string;
  state: TicketState;
  attributes: Record<string, AttributeValue>;
  adminAssigneeId: string | null;
  teamAssigneeId: string | null;
  isShared: boolean;
  createdAt: Date;
  updatedAt: Date;
  type: TicketTypeView;
  contacts: { id: string; externalId: string | null }[];
  /** The newest parts (at most 500), oldest first. */
  parts: TicketPartView[];
  totalParts: number;
};

export type TicketTypeView = {
  id: string;
  name: string;
  description: string;
  icon: string;
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
  attributes: TicketTypeAttributeView[];
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
  ticketState: TicketState | null;
  previousTicketState: TicketState | null;
  assignedToType: AssignedToType | null;
  assignedToId: string | null;
  attachments: PartAttachment[];
  externalId: string | null;
  redacted: boolean;
  /**
   * Whole seconds since the epoch, computed by PostgreSQL: a response shows up to 500 parts, and parsing
   * 1,000 timestamps into Dates only to truncate them again was a measurable share of such a response.
   */
  createdAtUnix: number;
  updatedAtUnix: number;
  author: { id: string; type: AdminType; name: string; email: string };
};
