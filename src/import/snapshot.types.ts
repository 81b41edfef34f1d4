import type { AssignedToType } from '../tickets/entities/ticket-part.entity';
import type { TicketCategory } from '../tickets/entities/ticket-type.entity';
import type { DataType, InputOptions } from '../tickets/entities/ticket-type-attribute.entity';
import type { StateCategory } from '../tickets/entities/ticket-state.entity';
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
  ticket_states?: SnapshotTicketState[];
  companies?: SnapshotCompany[];
  ticket_types?: SnapshotTicketType[];
  tickets?: SnapshotTicket[];
};

export type SnapshotTicketState = {
  id: Id;
  category: StateCategory;
  internal_label: string;
  external_label: string;
  archived?: boolean;
};

/** `id` is Intercom's id of the company; `company_id` the workspace's own identifier for it. */
export type SnapshotCompany = { id: string; company_id?: string | null; name?: string | null };

export type SnapshotTicketType = {
  id: Id;
  name: string;
  description?: string;
  icon?: string;
  archived?: boolean;
  category?: TicketCategory;
  ticket_state_ids?: Id[];
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
  /** 2.9's category, or 2.12's state object (its labels are Intercom's, ignored). */
  ticket_state?: StateCategory | SnapshotStateReference;
  ticket_state_id?: Id;
  open?: boolean;
  snoozed_until?: number | null;
  company_id?: string | null;
  previous_ticket_state_id?: Id | null;
  ticket_attributes?: Record<string, unknown>;
  contact_ids?: string[];
  admin_assignee_id?: Id | null;
  team_assignee_id?: Id | null;
  is_shared?: boolean;
  created_at?: number;
  updated_at?: number;
  ticket_parts?: SnapshotPart[];
};

export type SnapshotStateReference = {
  id: Id;
  category: StateCategory;
  internal_label?: string;
  external_label?: string;
};

export type SnapshotPart = {
  id: Id;
  part_type: string;
  body?: string | null;
  author: { type?: AdminType; id: Id };
  ticket_state?: StateCategory;
  previous_ticket_state?: StateCategory;
  assigned_to?: { type?: AssignedToType; id?: Id | null } | null;
  created_at?: number;
  updated_at?: number;
  attachments?: Record<string, unknown>[];
  external_id?: string | null;
  redacted?: boolean;
  updated_attribute_data?: SnapshotUpdatedAttributeData | null;
};

/** 2.14's `updated_attribute_data`, with or without its `type` tags. */
export type SnapshotUpdatedAttributeData = {
  attribute: { id: Id; label: string };
  value: { id: string | number[] | null; label: string | string[] };
};

export type ImportSummary = {
  workspace: string;
  admins: number;
  teams: number;
  contacts: number;
  ticket_states: number;
  companies: number;
  ticket_types: number;
  ticket_type_attributes: number;
  tickets: number;
  ticket_parts: number;
};
