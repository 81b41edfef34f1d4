import { Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';

/** A bearer token, stored only as its SHA-256 hash and bound to one workspace. */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'access_tokens_workspace_id_fkey',
  onDelete: 'CASCADE',
})
// Authentication starts from the token alone, before the workspace is known.
@Index('access_tokens_by_hash', ['tokenHash'], { unique: true })
@Entity({ name: 'access_tokens' })
export class AccessToken {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text', default: '' })
  name!: string;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
