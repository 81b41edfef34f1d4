import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Admin } from '../../workspaces/entities/admin.entity';
import { Ticket } from './ticket.entity';
import type { StateCategory } from './ticket-state.entity';

export type PartAttachment = {
  type: string;
  name: string;
  url: string;
  content_type?: string;
  filesize?: number;
  width?: number;
  height?: number;
};

/**
 * What an attribute part changed (2.14's `updated_attribute_data`, without its `type` tags): the attribute, and
 * the value set (a list item's id and label; a plain value's text as both; files' ids and names; null and "" when
 * cleared).
 */
export type UpdatedAttributeData = {
  attribute: { id: string; label: string };
  value: { id: string | number[] | null; label: string | string[] };
};

export const ASSIGNED_TO_TYPES = ['admin', 'team', 'nobody_admin'] as const;
export type AssignedToType = (typeof ASSIGNED_TO_TYPES)[number];

@ForeignKey(() => Ticket, ['workspaceId', 'ticketId'], ['workspaceId', 'id'], {
  name: 'ticket_parts_workspace_id_ticket_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Admin, ['workspaceId', 'authorId'], ['workspaceId', 'id'], {
  name: 'ticket_parts_workspace_id_author_id_fkey',
})
// The response reads a ticket's newest 500 parts and counts them: both walk this index backwards.
@Index('ticket_parts_by_ticket', ['workspaceId', 'ticketId', 'id'])
@Check(
  'ticket_parts_assigned_to_type_check',
  `assigned_to_type IN (${ASSIGNED_TO_TYPES.map((type) => `'${type}'`).join(', ')})`,
)
@Entity({ name: 'ticket_parts' })
export class TicketPart {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @Column({ name: 'part_type', type: 'text' })
  partType!: string;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  /** An admin or the Operator bot of the same workspace. */
  @Column({ name: 'author_id', type: 'bigint' })
  authorId!: string;

  @Column({ name: 'ticket_state', type: 'text', nullable: true })
  ticketState!: StateCategory | null;

  @Column({ name: 'previous_ticket_state', type: 'text', nullable: true })
  previousTicketState!: StateCategory | null;

  @Column({ name: 'assigned_to_type', type: 'text', nullable: true })
  assignedToType!: AssignedToType | null;

  @Column({ name: 'assigned_to_id', type: 'text', nullable: true })
  assignedToId!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  attachments!: PartAttachment[];

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @Column({ type: 'boolean', default: false })
  redacted!: boolean;

  /** On `ticket_attribute_updated_by_admin` parts: the attribute and value (null when not known). */
  @Column({ name: 'updated_attribute_data', type: 'jsonb', nullable: true })
  updatedAttributeData!: UpdatedAttributeData | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
