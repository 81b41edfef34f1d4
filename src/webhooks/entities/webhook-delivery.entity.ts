import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { WebhookEvent } from './webhook-event.entity';
import { WebhookSubscription } from './webhook-subscription.entity';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One notification: a topic of an event for a subscription, and its delivery. The id orders the notifications
 * of one ticket and subscription (commit order); `notificationId` (`notif_<uuid>`) is what the receiver sees and
 * stays the same across attempts.
 */
@ForeignKey(() => WebhookSubscription, ['workspaceId', 'subscriptionId'], ['workspaceId', 'id'], {
  name: 'webhook_deliveries_workspace_id_subscription_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => WebhookEvent, ['workspaceId', 'eventId'], ['workspaceId', 'id'], {
  name: 'webhook_deliveries_workspace_id_event_id_fkey',
  onDelete: 'CASCADE',
})
@Unique('webhook_deliveries_workspace_id_notification_id_key', ['workspaceId', 'notificationId'])
// The workers' claim: pending deliveries by due time.
@Index('webhook_deliveries_due', ['nextAttemptAt', 'id'], { where: "status = 'pending'" })
// Head of a chain: no earlier pending delivery of the same subscription and ticket.
@Index('webhook_deliveries_chain', ['workspaceId', 'subscriptionId', 'ticketId', 'id'], {
  where: "status = 'pending'",
})
// Retention: whether a delivery still refers to an event (and the cascade when an event goes).
@Index('webhook_deliveries_event', ['workspaceId', 'eventId'])
// Retention: delivered notifications by age.
@Index('webhook_deliveries_delivered', ['deliveredAt'], { where: "status = 'delivered'" })
@Check(
  'webhook_deliveries_status_check',
  `status IN (${DELIVERY_STATUSES.map((status) => `'${status}'`).join(', ')})`,
)
@Entity({ name: 'webhook_deliveries' })
export class WebhookDelivery {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'notification_id', type: 'text' })
  notificationId!: string;

  @Column({ name: 'subscription_id', type: 'bigint' })
  subscriptionId!: string;

  @Column({ name: 'event_id', type: 'bigint' })
  eventId!: string;

  @Column({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: DeliveryStatus;

  /** Attempts made so far (the envelope's `delivery_attempts` counts the one being sent). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'first_sent_at', type: 'timestamptz', nullable: true })
  firstSentAt!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** The receiver's last HTTP status; null when it gave none (timeout, refused). */
  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** A worker delivering it holds it until then; after that, another may take it (a crashed worker). */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'leased_by', type: 'text', nullable: true })
  leasedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
