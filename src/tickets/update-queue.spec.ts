import { ApiError } from '../common/errors/api-error';
import { KeyedLimiter } from './update-queue';

const refusal = { full: 'full', timedOut: 'timed out' };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedLimiter', () => {
  it('runs one at a time per key, in arrival order, and other keys meanwhile', async () => {
    const limiter = new KeyedLimiter({ concurrency: 1, maxWaiting: 10, maxWaitMs: 5_000, refusal });
    const order: string[] = [];
    const gate = deferred();
    const first = limiter.run('a', async () => {
      order.push('a1 start');
      await gate.promise;
      order.push('a1 end');
    });
    const second = limiter.run('a', () => Promise.resolve(order.push('a2')));
    const third = limiter.run('a', () => Promise.resolve(order.push('a3')));
    await limiter.run('b', () => Promise.resolve(order.push('b1')));
    expect(limiter.load('a')).toEqual({ running: 1, waiting: 2 });
    gate.resolve();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2', 'a3']);
    // Idle keys are forgotten.
    expect(limiter.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once when the queue is full, and a waiter past maxWaitMs, both with a 503 ApiError', async () => {
    const limiter = new KeyedLimiter({ concurrency: 2, maxWaiting: 1, maxWaitMs: 50, refusal });
    const gate = deferred();
    const running = [limiter.run('k', () => gate.promise), limiter.run('k', () => gate.promise)];
    const waiting = limiter.run('k', () => Promise.resolve('ran'));
    await expect(limiter.run('k', () => Promise.resolve('ran'))).rejects.toEqual(
      new ApiError('service_unavailable', 'full'),
    );
    await expect(waiting).rejects.toMatchObject({
      code: 'service_unavailable',
      status: 503,
      message: 'timed out',
    });
    gate.resolve();
    await Promise.all(running);
    expect(limiter.load('k')).toEqual({ running: 0, waiting: 0 });
    await expect(limiter.run('k', () => Promise.resolve('ran'))).resolves.toBe('ran');
  });

  it('releases the slot when the work throws', async () => {
    const limiter = new KeyedLimiter({ concurrency: 1, maxWaiting: 0, maxWaitMs: 50, refusal });
    await expect(limiter.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('k', () => Promise.resolve(1))).resolves.toBe(1);
  });
});
