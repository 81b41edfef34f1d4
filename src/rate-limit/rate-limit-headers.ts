/** Where a workspace stands in its current window, as the limiter reports it after counting a request. */
export type RateLimitDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  msBeforeReset: number;
};

/**
 * The three `X-RateLimit-*` headers of BEHAVIOUR.md §5. The reset is rounded up to a whole second: the
 * official SDK (v7) waits until `Reset * 1000`, and rounding down would send it back a moment too early.
 */
export function rateLimitHeaders(decision: RateLimitDecision, nowMs: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(Math.max(decision.remaining, 0)),
    'X-RateLimit-Reset': String(Math.ceil((nowMs + Math.max(decision.msBeforeReset, 0)) / 1000)),
  };
}

/** `Retry-After` on a 429: whole seconds until the window resets, never 0 (clients read 0 as "no delay"). */
export function retryAfterSeconds(msBeforeReset: number): number {
  return Math.max(1, Math.ceil(msBeforeReset / 1000));
}
