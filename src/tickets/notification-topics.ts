import { type ApiVersion, atLeast } from '../common/versioning/versions';
import type { LockedTicket, UpdatePlan } from './update-plan';

/** The topics a ticket update raises (BEHAVIOUR.md §7), as a webhook subscription names them. */
export const TICKET_TOPICS = [
  'ticket.attribute.updated',
  'ticket.state.updated',
  'ticket.admin.assigned',
  'ticket.team.assigned',
  'ticket.closed',
  'ticket.resolved',
] as const;
export type TicketTopic = (typeof TICKET_TOPICS)[number];

/** Intercom raised `ticket.resolved` from 2.15; before, a change into `resolved` was `ticket.closed` (§7). */
export const RESOLVED_TOPIC_SINCE: ApiVersion = '2.15';

/** What the update reads of a workspace's active subscriptions. */
export type SubscriptionView = { id: string; topics: readonly string[]; version: ApiVersion };

/** One notification to queue: a topic for a subscription. */
export type QueuedNotification = { subscription_id: string; topic: TicketTopic };

/**
 * The notifications a committed update queues (BEHAVIOUR.md §7): one per subscription and topic it raises and
 * the subscription names, at most once each, in the order of TICKET_TOPICS. Pure. A no-op raises none (there is
 * no plan); so does `skip_notifications` (the caller passes no subscriptions).
 */
export function notificationsFor(
  ticket: LockedTicket,
  plan: UpdatePlan,
  subscriptions: readonly SubscriptionView[],
): QueuedNotification[] {
  if (subscriptions.length === 0) return [];
  const raised = new Set<TicketTopic>();
  for (const part of plan.parts) {
    if (part.partType === 'ticket_attribute_updated_by_admin') raised.add('ticket.attribute.updated');
    if (part.partType === 'ticket_state_updated_by_admin') raised.add('ticket.state.updated');
    if (part.partType === 'assignment' && part.assignedToType === 'admin')
      raised.add('ticket.admin.assigned');
    if (part.partType === 'assignment' && part.assignedToType === 'team') raised.add('ticket.team.assigned');
    if (part.partType === 'close') raised.add('ticket.closed');
  }
  const resolved = plan.changes.state === 'resolved' && ticket.state.category !== 'resolved';
  const queued: QueuedNotification[] = [];
  for (const subscription of subscriptions) {
    const topics = new Set<TicketTopic>(raised);
    if (resolved)
      topics.add(atLeast(subscription.version, RESOLVED_TOPIC_SINCE) ? 'ticket.resolved' : 'ticket.closed');
    for (const topic of TICKET_TOPICS) {
      if (topics.has(topic) && subscription.topics.includes(topic)) {
        queued.push({ subscription_id: subscription.id, topic });
      }
    }
  }
  return queued;
}
