/**
 * When a failed attempt is tried again (BEHAVIOUR.md §7): about 10 s, 1 min, 5 min, 30 min, 2 h, then every
 * 4 h, each ±20% at random (jitter, so receivers that failed together are not retried together), until the
 * notification is a day old; then it is failed. The day is counted from the notification's creation (its
 * update's commit), so a chain held up by a receiver that is down does not take a day per notification to drain.
 */
const DELAYS_S = [10, 60, 300, 1800, 7200, 14_400];

/** How long a notification is retried, from its creation. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000;

const JITTER = 0.2;

/** A 429's Retry-After is followed within these bounds (at least 1 s; at most the longest regular delay). */
const RETRY_AFTER_MIN_MS = 1_000;
const RETRY_AFTER_MAX_MS = DELAYS_S[DELAYS_S.length - 1] * 1000;

/**
 * The delay after attempt `attempt` (1-based) failed, in ms. `scale` (WEBHOOK_RETRY_SCALE, 1 in production)
 * shrinks the schedule for tests; the window shrinks with it (retryWindowMs).
 */
export function retryDelayMs(attempt: number, scale: number, random: () => number = Math.random): number {
  const base = DELAYS_S[Math.min(Math.max(attempt, 1), DELAYS_S.length) - 1] * 1000 * scale;
  return Math.max(1, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
}

export function retryWindowMs(scale: number): number {
  return Math.round(RETRY_WINDOW_MS * scale);
}

/**
 * A 429's `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as a delay in ms, within bounds;
 * undefined when absent or unreadable (the regular schedule applies). Not scaled: it is the receiver's word.
 */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let delay: number;
  if (/^\d+$/.test(text)) delay = Number(text) * 1000;
  else {
    // An HTTP-date names its day or month ("Fri, 04 Dec 2026 10:00:30 GMT"); Date.parse would take "-5" too.
    const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(at)) return undefined;
    delay = at - nowMs;
  }
  return Math.min(Math.max(delay, RETRY_AFTER_MIN_MS), RETRY_AFTER_MAX_MS);
}
