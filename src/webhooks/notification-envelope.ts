import { unixSeconds } from '../tickets/ticket.mapper';
import type { WireTicket } from '../tickets/versions/ticket-version-change';
import type { ClaimedDelivery } from './webhook-deliveries.repository';

/** Intercom's notification envelope (BEHAVIOUR.md §7), as the receiver gets it. */
export type NotificationEnvelope = {
  type: 'notification_event';
  /** The workspace's id, as Intercom sends the app's. */
  app_id: string;
  /** `notif_<uuid>`: the same on every attempt, so a receiver can drop a repeat. */
  id: string;
  topic: string;
  /** Unix seconds of the update that raised it. */
  created_at: number;
  /** This attempt's number, from 1. */
  delivery_attempts: number;
  /** Unix seconds of the first attempt. */
  first_sent_at: number;
  data: { type: 'notification_event_data'; item: WireTicket };
};

/** The body of one attempt, serialized once: the signatures cover exactly these bytes. */
export function notificationBody(delivery: ClaimedDelivery, item: WireTicket): Buffer {
  const envelope: NotificationEnvelope = {
    type: 'notification_event',
    app_id: delivery.workspaceId,
    id: delivery.notificationId,
    topic: delivery.topic,
    created_at: unixSeconds(delivery.event.createdAt),
    delivery_attempts: delivery.attempts,
    first_sent_at: unixSeconds(delivery.firstSentAt),
    data: { type: 'notification_event_data', item },
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}
