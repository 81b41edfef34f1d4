import { Check, Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';

/** A ticket type's category (2.10 on: `category` of the ticket and of its type). */
export const TICKET_CATEGORIES = ['Customer', 'Back-office', 'Tracker'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'ticket_types_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Check(
  'ticket_types_category_check',
  `category IN (${TICKET_CATEGORIES.map((category) => `'${category}'`).join(', ')})`,
)
@Entity({ name: 'ticket_types' })
export class TicketType {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'text', default: '' })
  icon!: string;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  @Column({ type: 'text', default: 'Customer' })
  category!: TicketCategory;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
