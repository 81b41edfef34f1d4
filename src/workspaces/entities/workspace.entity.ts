import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'workspaces' })
export class Workspace {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'default_intercom_version', type: 'text', default: '2.9' })
  defaultIntercomVersion!: string;

  /** When true, PUT without If-Match is refused with 428. */
  @Column({ name: 'require_if_match', type: 'boolean', default: false })
  requireIfMatch!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
