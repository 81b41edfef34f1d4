import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';

@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'contacts_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Entity({ name: 'contacts' })
export class Contact {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** Intercom contact ids are opaque strings (e.g. `6657abe76abd0164c24b0df3`). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @Column({ type: 'text', default: 'user' })
  role!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;
}
