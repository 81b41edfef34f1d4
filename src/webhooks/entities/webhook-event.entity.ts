import { Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Ticket } from '../../tickets/entities/ticket.entity';

/**
 * One committed update that raised a topic: the ticket as it left it, rendered per subscription at delivery.
 * `ticket` is the internal model without its parts (tickets/ticket.view.ts, dates as ISO text); the parts are the
 * ticket's newest up to `partsThrough`, of which there were `totalParts`.
 */
@ForeignKey(() => Ticket, ['workspaceId', 'ticketId'], ['workspaceId', 'id'], {
  name: 'webhook_events_workspace_id_ticket_id_fkey',
  onDelete: 'CASCADE',
})
@Entity({ name: 'webhook_events' })
export class WebhookEvent {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @Column({ type: 'jsonb' })
  ticket!: Record<string, unknown>;

  @Column({ name: 'parts_through', type: 'bigint', nullable: true })
  partsThrough!: string | null;

  @Column({ name: 'total_parts', type: 'integer' })
  totalParts!: number;

  /** The update's time: the ticket's new updated_at. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
