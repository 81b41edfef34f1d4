import { clientAddress, FailureWindows } from './failed-auth-limiter';

describe('FailureWindows', () => {
  const T = 1_000_000;

  it('allows LIMIT failures, then blocks until the window that the first one started ends', () => {
    const windows = new FailureWindows(3, 10_000);
    for (let i = 0; i < 3; i++) {
      expect(windows.blockedForMs('a', T + i)).toBe(0);
      windows.recordFailure('a', T + i);
    }
    expect(windows.blockedForMs('a', T + 5)).toBe(9_995);
    expect(windows.blockedForMs('a', T + 9_999)).toBe(1);
    expect(windows.blockedForMs('a', T + 10_000)).toBe(0);
  });

  it('starts a fresh window after the old one ended', () => {
    const windows = new FailureWindows(2, 1_000);
    windows.recordFailure('a', T);
    windows.recordFailure('a', T + 1_000);
    expect(windows.blockedForMs('a', T + 1_001)).toBe(0);
    windows.recordFailure('a', T + 1_002);
    expect(windows.blockedForMs('a', T + 1_003)).toBe(997);
  });

  it('counts each address on its own', () => {
    const windows = new FailureWindows(1, 1_000);
    windows.recordFailure('a', T);
    expect(windows.blockedForMs('a', T)).toBe(1_000);
    expect(windows.blockedForMs('b', T)).toBe(0);
  });

  it('keeps at most maxKeys addresses, dropping the oldest window first', () => {
    const windows = new FailureWindows(1, 60_000, 2);
    windows.recordFailure('a', T);
    windows.recordFailure('b', T);
    windows.recordFailure('c', T);
    expect(windows.size).toBe(2);
    expect(windows.blockedForMs('a', T)).toBe(0);
    expect(windows.blockedForMs('c', T)).toBe(60_000);
  });
});

describe('clientAddress', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    [undefined, 'unknown'],
  ])('%s → %s', (remote, expected) => expect(clientAddress(remote)).toBe(expected));
});
