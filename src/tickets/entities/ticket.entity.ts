import { Check, Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Admin } from '../../workspaces/entities/admin.entity';
import { Team } from '../../workspaces/entities/team.entity';
import { TicketType } from './ticket-type.entity';

export const TICKET_STATES = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

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
@Check('tickets_state_check', `state IN (${TICKET_STATES.map((state) => `'${state}'`).join(', ')})`)
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

  @Column({ type: 'text', default: 'submitted' })
  state!: TicketState;

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
