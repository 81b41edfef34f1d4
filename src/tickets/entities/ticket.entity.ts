import { Check, Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Admin } from '../../workspaces/entities/admin.entity';
import { Company } from '../../workspaces/entities/company.entity';
import { Team } from '../../workspaces/entities/team.entity';
import { STATE_CATEGORIES, type StateCategory, TicketState } from './ticket-state.entity';
import { TicketType } from './ticket-type.entity';

export type AttributeValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

@ForeignKey(() => TicketType, ['workspaceId', 'ticketTypeId'], ['workspaceId', 'id'], {
  name: 'tickets_workspace_id_ticket_type_id_fkey',
})
@ForeignKey(() => Admin, ['workspaceId', 'adminAssigneeId'], ['workspaceId', 'id'], {
  name: 'tickets_workspace_id_admin_assignee_id_fkey',
})
@ForeignKey(() => Team, ['workspaceId', 'teamAssigneeId'], ['workspaceId', 'id'], {
  name: 'tickets_workspace_id_team_assignee_id_fkey',
})
// The category copy (`state`) must be its state's category (migration 1764200000000).
@ForeignKey(() => TicketState, ['workspaceId', 'ticketStateId', 'state'], ['workspaceId', 'id', 'category'], {
  name: 'tickets_ticket_state_fkey',
})
@ForeignKey(() => TicketState, ['workspaceId', 'previousTicketStateId'], ['workspaceId', 'id'], {
  name: 'tickets_previous_ticket_state_fkey',
})
@ForeignKey(() => Company, ['workspaceId', 'companyId'], ['workspaceId', 'id'], {
  name: 'tickets_company_fkey',
})
@Check('tickets_snoozed_only_when_open_check', 'open OR snoozed_until IS NULL')
@Check('tickets_state_check', `state IN (${STATE_CATEGORIES.map((state) => `'${state}'`).join(', ')})`)
@Entity({ name: 'tickets' })
export class Ticket {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** The Inbox number (`ticket_id` on the wire); never used for lookups. */
  @Column({ name: 'ticket_number', type: 'text' })
  ticketNumber!: string;

  @Column({ name: 'ticket_type_id', type: 'bigint' })
  ticketTypeId!: string;

  /** The category of `ticketStateId`'s state, kept beside it (a foreign key checks they agree). */
  @Column({ type: 'text', default: 'submitted' })
  state!: StateCategory;

  @Column({ name: 'ticket_state_id', type: 'bigint' })
  ticketStateId!: string;

  /** The state before the latest state change (2.16's `previous_ticket_state_id`). */
  @Column({ name: 'previous_ticket_state_id', type: 'bigint', nullable: true })
  previousTicketStateId!: string | null;

  /** False once closed (`open: false`); a closed ticket is not snoozed. */
  @Column({ type: 'boolean', default: true })
  open!: boolean;

  @Column({ name: 'snoozed_until', type: 'timestamptz', nullable: true })
  snoozedUntil!: Date | null;

  /** Intercom's id of the ticket's company. */
  @Column({ name: 'company_id', type: 'text', nullable: true })
  companyId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, AttributeValue>;

  /** Null when unassigned (`"0"` on the wire). */
  @Column({ name: 'admin_assignee_id', type: 'bigint', nullable: true })
  adminAssigneeId!: string | null;

  @Column({ name: 'team_assignee_id', type: 'bigint', nullable: true })
  teamAssigneeId!: string | null;

  @Column({ name: 'is_shared', type: 'boolean', default: false })
  isShared!: boolean;

  /** Changes with every committed update; the ETag is built from it (issue #4). */
  @Column({ type: 'bigint', default: 1 })
  version!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
