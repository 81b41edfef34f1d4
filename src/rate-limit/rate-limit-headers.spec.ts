import { rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';

describe('rateLimitHeaders', () => {
  const now = 1_717_021_671_250;

  it('reports the limit, what is left and the reset in unix seconds', () =>
    expect(
      rateLimitHeaders({ allowed: true, limit: 1667, remaining: 1666, msBeforeReset: 10_000 }, now),
    ).toEqual({
      'X-RateLimit-Limit': '1667',
      'X-RateLimit-Remaining': '1666',
      'X-RateLimit-Reset': '1717021682',
    }));

  it('rounds the reset up, so a client waiting until it never comes back early', () =>
    expect(
      rateLimitHeaders({ allowed: true, limit: 3, remaining: 0, msBeforeReset: 750 }, now)[
        'X-RateLimit-Reset'
      ],
    ).toBe('1717021672'));

  it('never reports a negative remainder or a reset in the past', () =>
    expect(rateLimitHeaders({ allowed: false, limit: 3, remaining: -2, msBeforeReset: -5 }, now)).toEqual({
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1717021672',
    }));
});

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds', () => expect(retryAfterSeconds(9_001)).toBe(10));
  it('keeps exact seconds', () => expect(retryAfterSeconds(4_000)).toBe(4));
  it('is at least 1 even when the window is about to end', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(-3)).toBe(1);
  });
});
