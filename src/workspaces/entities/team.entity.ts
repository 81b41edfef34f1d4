import { Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from './workspace.entity';

@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'teams_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Entity({ name: 'teams' })
export class Team {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'admin_ids', type: 'bigint', array: true, default: () => "'{}'" })
  adminIds!: string[];
}
