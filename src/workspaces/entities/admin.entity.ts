import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from './workspace.entity';

export const ADMIN_TYPES = ['admin', 'bot'] as const;
export type AdminType = (typeof ADMIN_TYPES)[number];

/** A teammate, or the workspace's Operator bot (type `bot`, exactly one per workspace). */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'admins_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Index('admins_one_bot_per_workspace', ['workspaceId'], { unique: true, where: "type = 'bot'" })
@Check('admins_type_check', `type IN (${ADMIN_TYPES.map((type) => `'${type}'`).join(', ')})`)
@Entity({ name: 'admins' })
export class Admin {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text', default: 'admin' })
  type!: AdminType;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  email!: string;
}
