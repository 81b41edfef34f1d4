import type { AssignedToType } from '../tickets/entities/ticket-part.entity';
import type { DataType, InputOptions } from '../tickets/entities/ticket-type-attribute.entity';
import type { TicketState } from '../tickets/entities/ticket.entity';
import type { AdminType } from '../workspaces/entities/admin.entity';

/** A workspace snapshot after schema validation (OPERATING.md). Ids may still be numbers. The closed lists
 * (states, data types, admin and assignee kinds) are the entities' own, which the migrations' checks match. */
type Id = string | number;

export type Snapshot = {
  /** `require_if_match` is this service's own setting (issue #4), not an Intercom field. */
  workspace: { id: string; name?: string; default_intercom_version?: string; require_if_match?: boolean };
  admins?: { id: Id; type?: AdminType; name: string; email?: string }[];
  teams?: { id: Id; name: string; admin_ids?: Id[] }[];
  contacts?: { id: string; external_id?: string | null; role?: string; email?: string | null }[];
  ticket_types?: SnapshotTicketType[];
  tickets?: SnapshotTicket[];
};

export type SnapshotTicketType = {
  id: Id;
  name: string;
  description?: string;
  icon?: string;
  archived?: boolean;
  created_at?: number;
  updated_at?: number;
  ticket_type_attributes?: SnapshotAttribute[];
};

export type SnapshotAttribute = {
  id: Id;
  name: string;
  description?: string;
  data_type: DataType;
  input_options?: InputOptions | null;
  order?: number;
  required_to_create?: boolean;
  required_to_create_for_contacts?: boolean;
  visible_on_create?: boolean;
  visible_to_contacts?: boolean;
  default?: boolean;
  archived?: boolean;
  created_at?: number;
  updated_at?: number;
};

export type SnapshotTicket = {
  id: Id;
  ticket_id?: string | number;
  ticket_type_id: Id;
  ticket_state?: TicketState;
  ticket_attributes?: Record<string, unknown>;
  contact_ids?: string[];
  admin_assignee_id?: Id | null;
  team_assignee_id?: Id | null;
  is_shared?: boolean;
  created_at?: number;
  updated_at?: number;
  ticket_parts?: SnapshotPart[];
};

export type SnapshotPart = {
  id: Id;
  part_type: string;
  body?: string | null;
  author: { type?: AdminType; id: Id };
  ticket_state?: TicketState;
  previous_ticket_state?: TicketState;
  assigned_to?: { type?: AssignedToType; id?: Id | null } | null;
  created_at?: number;
  updated_at?: number;
  attachments?: Record<string, unknown>[];
  external_id?: string | null;
  redacted?: boolean;
};

export type ImportSummary = {
  workspace: string;
  admins: number;
  teams: number;
  contacts: number;
  ticket_types: number;
  ticket_type_attributes: number;
  tickets: number;
  ticket_parts: number;
};
