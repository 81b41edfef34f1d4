import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A bearer token, stored only as its SHA-256 hash and bound to one workspace. */
@Entity({ name: 'access_tokens' })
export class AccessToken {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'bigint' })
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
