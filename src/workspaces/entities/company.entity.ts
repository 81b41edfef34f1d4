import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Workspace } from './workspace.entity';

/** A company a ticket may belong to (2.12's `company_id` on update). */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'companies_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Entity({ name: 'companies' })
export class Company {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** Intercom's id of the company (what `company_id` in an update names). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  /** The workspace's own identifier for the company. */
  @Column({ name: 'company_id', type: 'text', nullable: true })
  companyId!: string | null;

  @Column({ type: 'text', default: '' })
  name!: string;
}
