/** A workspace snapshot after schema validation (OPERATING.md). Ids may still be numbers. */
type Id = string | number;

export type Snapshot = {
  /** `require_if_match` is this service's own setting (issue #4), not an Intercom field. */
  workspace: { id: string; name?: string; default_intercom_version?: string; require_if_match?: boolean };
  admins?: { id: Id; type?: 'admin' | 'bot'; name: string; email?: string }[];
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
  data_type: 'string' | 'list' | 'integer' | 'decimal' | 'boolean' | 'datetime' | 'files';
  input_options?: {
    list_items?: { id: string; label: string; archived?: boolean }[];
    [k: string]: unknown;
  } | null;
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
  ticket_state?: 'submitted' | 'in_progress' | 'waiting_on_customer' | 'resolved';
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
  author: { type?: 'admin' | 'bot'; id: Id };
  ticket_state?: string;
  previous_ticket_state?: string;
  assigned_to?: { type?: 'admin' | 'team' | 'nobody_admin'; id?: Id | null } | null;
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
