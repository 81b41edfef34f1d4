import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';

/** The stored first response of a PUT sent with an Idempotency-Key, replayed for 24 h. */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'idempotency_keys_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Index('idempotency_keys_expiry', ['expiresAt'])
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ name: 'request_hash', type: 'bytea' })
  requestHash!: Buffer;

  @Column({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ type: 'text' })
  etag!: string;

  @Column({ type: 'text' })
  response!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
