/**
 * PostgreSQL NOTIFY channels of the webhooks. Sent inside the writing transaction, so delivered when, and only
 * if, it commits.
 */

/** A subscription was created, deleted or disabled, or one of its notifications was queued again. */
export const WEBHOOKS_CHANGED_CHANNEL = 'webhooks_changed';

/** Deliveries were queued (the update's outbox, a redelivery): the workers wake on it. */
export const WEBHOOK_DELIVERIES_CHANNEL = 'webhook_deliveries';
