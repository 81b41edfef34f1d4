import { Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';
import { Ticket } from './ticket.entity';

export type FieldChange = { before: unknown; after: unknown };

/** One row per committed update, written in the update's own transaction. */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'audit_log_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Ticket, ['workspaceId', 'ticketId'], ['workspaceId', 'id'], {
  name: 'audit_log_workspace_id_ticket_id_fkey',
  onDelete: 'CASCADE',
})
@Index('audit_log_by_ticket', ['workspaceId', 'ticketId', 'id'])
@Entity({ name: 'audit_log' })
export class AuditEntry {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ name: 'token_id', type: 'bigint' })
  tokenId!: string;

  @Column({ name: 'admin_id', type: 'bigint', nullable: true })
  adminId!: string | null;

  @Column({ name: 'bot_id', type: 'bigint' })
  botId!: string;

  /** Field → before/after, e.g. `state`, `ticket_attributes.Priority`, `admin_assignee_id`. */
  @Column({ type: 'jsonb' })
  changes!: Record<string, FieldChange>;

  /** The update asked for no notifications (BEHAVIOUR.md §6). */
  @Column({ name: 'skip_notifications', type: 'boolean', default: false })
  skipNotifications!: boolean;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'version_before', type: 'bigint' })
  versionBefore!: string;

  @Column({ name: 'version_after', type: 'bigint' })
  versionAfter!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
