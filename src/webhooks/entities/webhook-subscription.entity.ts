import { Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { TicketTopic } from '../../tickets/notification-topics';
import { Workspace } from '../../workspaces/entities/workspace.entity';

/** A receiver of a workspace's ticket notifications. */
@ForeignKey(() => Workspace, ['workspaceId'], ['workspace_id'], {
  name: 'webhook_subscriptions_workspace_id_fkey',
  onDelete: 'CASCADE',
})
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscription {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', array: true })
  topics!: TicketTopic[];

  /** The API version its notifications show the ticket in. */
  @Column({ type: 'text' })
  version!: string;

  /** Kept so that it can sign; shown once, at creation, and never logged. */
  @Column({ type: 'text' })
  secret!: string;

  /** False once disabled (a 410 from the receiver); nothing more is queued for it. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
