import { isIP } from 'node:net';
import { type ApiVersion, atLeast, parseVersion, TICKETS_SINCE } from '../common/versioning/versions';
import { RESOLVED_TOPIC_SINCE, TICKET_TOPICS, type TicketTopic } from '../tickets/notification-topics';
import { isPrivateAddress } from './private-address';

/** Bad input to a `webhook` command: printed on stderr as it is, exit code 1, nothing written. */
export class WebhookInputError extends Error {}

const MAX_URL_LENGTH = 2048;
const SERVED_VERSIONS = '2.9–2.16, Preview or Unstable';

/** `--topics T1,T2`: known topics, each once, in the order given. */
export function parseTopics(text: string): TicketTopic[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const known = TICKET_TOPICS.join(', ');
  if (names.length === 0) throw new WebhookInputError(`--topics: no topic given; the topics are ${known}`);
  for (const name of names) {
    if (!(TICKET_TOPICS as readonly string[]).includes(name)) {
      throw new WebhookInputError(`--topics: unknown topic ${JSON.stringify(name)}; the topics are ${known}`);
    }
  }
  return [...new Set(names)] as TicketTopic[];
}

/**
 * The version a subscription's notifications show the ticket in: one the tickets API serves (2.9 on; Unstable
 * is Preview). `source` names where it came from, for the message.
 */
export function parseSubscriptionVersion(value: string, source: string): ApiVersion {
  const version = parseVersion(value);
  if (version === null) {
    throw new WebhookInputError(
      `${source}: unknown version ${JSON.stringify(value)}; use ${SERVED_VERSIONS}`,
    );
  }
  if (!atLeast(version, TICKETS_SINCE)) {
    throw new WebhookInputError(`${source}: version ${value} has no tickets API; use ${SERVED_VERSIONS}`);
  }
  return version;
}

/** BEHAVIOUR.md §7: ticket.resolved is a topic of 2.15 and later. */
export function checkTopicsForVersion(topics: readonly TicketTopic[], version: ApiVersion): void {
  if (topics.includes('ticket.resolved') && !atLeast(version, RESOLVED_TOPIC_SINCE)) {
    throw new WebhookInputError(
      `--topics: ticket.resolved exists from version ${RESOLVED_TOPIC_SINCE} on, and this subscription is ` +
        `${version} (below ${RESOLVED_TOPIC_SINCE} a change into resolved raises ticket.closed); ` +
        `subscribe to ticket.closed, or pass --version ${RESOLVED_TOPIC_SINCE} or later`,
    );
  }
}

/** The host of a URL as an address or a name: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * `--url`: an absolute http(s) URL. Unless private URLs are allowed, a literal private address (or
 * `localhost`, which is loopback by definition, RFC 6761) is refused now; a name that resolves to one is
 * refused at every delivery (webhook-sender.ts), since what it resolves to can change.
 */
export function checkUrl(text: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookInputError(`--url: ${JSON.stringify(text)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookInputError(
      `--url: ${JSON.stringify(text)} must be an http:// or https:// URL (got ${url.protocol.slice(0, -1)})`,
    );
  }
  if (url.href.length > MAX_URL_LENGTH) {
    throw new WebhookInputError(`--url: longer than ${MAX_URL_LENGTH} characters`);
  }
  const host = hostOf(url);
  if (!allowPrivate) {
    const loopbackName = host === 'localhost' || host.endsWith('.localhost');
    if (loopbackName || (isIP(host) !== 0 && isPrivateAddress(host))) {
      throw new WebhookInputError(
        `--url: ${host} is a loopback, private or otherwise non-public address, which webhooks may not ` +
          'reach (WEBHOOK_ALLOW_PRIVATE_URLS is false, its default with NODE_ENV=production)',
      );
    }
  }
  url.hash = '';
  return url.href;
}
