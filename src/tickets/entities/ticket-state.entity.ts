import { Check, Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Workspace } from '../../workspaces/entities/workspace.entity';

/** The four categories every ticket state belongs to (2.9's `ticket_state` values). */
export const STATE_CATEGORIES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] as const;
export type StateCategory = (typeof STATE_CATEGORIES)[number];

/** BEHAVIOUR.md §1: the default state of each category, with its internal / external labels. */
export const DEFAULT_STATE_LABELS = {
  submitted: { internal: 'Submitted', external: 'Submitted' },
  in_progress: { internal: 'In progress', external: 'In progress' },
  waiting_on_customer: { internal: 'Waiting on customer', external: 'Waiting on you' },
  resolved: { internal: 'Resolved', external: 'Resolved' },
} as const satisfies Record<StateCategory, { internal: string; external: string }>;

/** A workspace's ticket state (2.12's `ticket_state` object): custom ones too, each of one category. */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'ticket_states_workspace_id_fkey',
  onDelete: 'CASCADE',
})
// Target of the tickets' (workspace, state id, category) foreign key: a ticket's category copy cannot drift.
@Unique('ticket_states_workspace_id_id_category_key', ['workspaceId', 'id', 'category'])
@Check(
  'ticket_states_category_check',
  `category IN (${STATE_CATEGORIES.map((category) => `'${category}'`).join(', ')})`,
)
@Entity({ name: 'ticket_states' })
export class TicketState {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  category!: StateCategory;

  @Column({ name: 'internal_label', type: 'text' })
  internalLabel!: string;

  @Column({ name: 'external_label', type: 'text' })
  externalLabel!: string;

  /** An archived state keeps its tickets but no update may move a ticket into it. */
  @Column({ type: 'boolean', default: false })
  archived!: boolean;
}
