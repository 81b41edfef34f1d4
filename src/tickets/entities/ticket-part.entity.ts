import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TicketState } from './ticket.entity';

export type PartAttachment = {
  type: string;
  name: string;
  url: string;
  content_type?: string;
  filesize?: number;
  width?: number;
  height?: number;
};

export type AssignedToType = 'admin' | 'team' | 'nobody_admin';

@Entity({ name: 'ticket_parts' })
export class TicketPart {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'bigint' })
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
  ticketState!: TicketState | null;

  @Column({ name: 'previous_ticket_state', type: 'text', nullable: true })
  previousTicketState!: TicketState | null;

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

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
