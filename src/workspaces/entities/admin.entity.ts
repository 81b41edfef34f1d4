import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AdminType = 'admin' | 'bot';

/** A teammate, or the workspace's Operator bot (type `bot`, exactly one per workspace). */
@Entity({ name: 'admins' })
export class Admin {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', default: 'admin' })
  type!: AdminType;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  email!: string;
}
