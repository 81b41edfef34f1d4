import { Column, Entity, PrimaryColumn } from 'typeorm';

export type FieldChange = { before: unknown; after: unknown };

/** One row per committed update, written in the update's own transaction. */
@Entity({ name: 'audit_log' })
export class AuditEntry {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'bigint' })
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

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'version_before', type: 'bigint' })
  versionBefore!: string;

  @Column({ name: 'version_after', type: 'bigint' })
  versionAfter!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
