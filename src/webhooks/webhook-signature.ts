import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' prefix of a secret: `whsec_` then the key, base64 (https://www.standardwebhooks.com). */
const SECRET_PREFIX = 'whsec_';

/** A new subscription secret: 32 random bytes, `whsec_<base64>`. Shown once, at creation. */
export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The HMAC-SHA256 key of a secret, as the `standardwebhooks` package derives it: the base64 after `whsec_`. */
function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/**
 * The signature headers of one attempt (BEHAVIOUR.md §7), over the exact bytes sent:
 * - `X-Hub-Signature`, as Intercom signs: `sha1=` and the hex HMAC-SHA1 of the body, keyed with the secret as
 *   shown at creation (the whole `whsec_…` text);
 * - Standard Webhooks: `webhook-id` (the notification id, the same on every attempt), `webhook-timestamp` (this
 *   attempt's unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed
 *   with the decoded key, so a receiver can refuse a replayed or stale message.
 */
export function signatureHeaders(
  secret: string,
  notificationId: string,
  timestampSeconds: number,
  body: Buffer,
): Record<string, string> {
  const hub = createHmac('sha1', secret).update(body).digest('hex');
  const standard = createHmac('sha256', standardWebhooksKey(secret))
    .update(`${notificationId}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return {
    'X-Hub-Signature': `sha1=${hub}`,
    'webhook-id': notificationId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${standard}`,
  };
}
