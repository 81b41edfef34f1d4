import { RETRY_WINDOW_MS, retryAfterMs, retryDelayMs, retryWindowMs } from './retry-schedule';

describe('the retry schedule', () => {
  it('waits about 10 s, 1 min, 5 min, 30 min, 2 h, then every 4 h, ±20%', () => {
    const at = (random: number) =>
      [1, 2, 3, 4, 5, 6, 7, 12].map((attempt) => retryDelayMs(attempt, 1, () => random));
    const base = [10, 60, 300, 1800, 7200, 14_400, 14_400, 14_400].map((seconds) => seconds * 1000);
    expect(at(0.5)).toEqual(base);
    expect(at(0)).toEqual(base.map((ms) => ms * 0.8));
    expect(at(0.999999).map((ms, i) => ms / base[i])).toEqual(
      base.map(() => expect.closeTo(1.2, 4) as number),
    );
  });

  it('fits about eleven attempts into the day a notification is retried', () => {
    let elapsed = 0;
    let attempts = 1;
    while (elapsed + retryDelayMs(attempts, 1, () => 0.5) <= RETRY_WINDOW_MS) {
      elapsed += retryDelayMs(attempts, 1, () => 0.5);
      attempts++;
    }
    expect(attempts).toBe(11);
    expect(elapsed / 3_600_000).toBeCloseTo(22.6, 1);
  });

  it('scales the delays and the window together, for tests', () => {
    expect(retryDelayMs(1, 0.001, () => 0.5)).toBe(10);
    expect(retryDelayMs(6, 0.001, () => 0.5)).toBe(14_400);
    expect(retryWindowMs(0.001)).toBe(86_400);
    expect(retryDelayMs(1, 0.00001, () => 0.5)).toBe(1);
  });

  it("reads a 429's Retry-After in seconds or as an HTTP date, within bounds", () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 2 ', now)).toBe(2_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    // At least a second; at most the longest regular delay (4 h).
    expect(retryAfterMs('0', now)).toBe(1_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 09:00:00 GMT', now)).toBe(1_000);
    expect(retryAfterMs('86400', now)).toBe(14_400_000);
    // Unreadable or absent: the regular schedule applies.
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
