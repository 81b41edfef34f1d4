import { ApiError } from '../common/errors/api-error';

type Waiter = { resolve: () => void; timer: NodeJS.Timeout };
type Slot = { running: number; waiting: Waiter[] };

export type LimiterOptions = {
  /** How many may run at once per key. */
  concurrency: number;
  /** How many may wait per key; the next one is refused at once. Infinity: bounded by `maxWaitMs` only. */
  maxWaiting: number;
  /** How long one may wait for its turn before it is refused. */
  maxWaitMs: number;
  /** What a refused caller gets (a 503 with Retry-After, from the exception filter). */
  refusal: { full: string; timedOut: string };
};

/**
 * Per-key FIFO admission in process memory: at most `concurrency` callers per key run at once, the others
 * wait here, in order, holding nothing but a promise. A caller is refused with a retryable 503 when the
 * queue is full or its wait exceeds `maxWaitMs`, so a burst is answered quickly instead of piling up. Keys
 * with nobody running or waiting are forgotten, so the map holds only what is busy now.
 */
export class KeyedLimiter {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly options: LimiterOptions) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await work();
    } finally {
      this.release(key);
    }
  }

  /** Callers running and waiting for `key` (metrics and tests). */
  load(key: string): { running: number; waiting: number } {
    const slot = this.slots.get(key);
    return { running: slot?.running ?? 0, waiting: slot?.waiting.length ?? 0 };
  }

  private acquire(key: string): Promise<void> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: 0, waiting: [] };
      this.slots.set(key, slot);
    }
    if (slot.running < this.options.concurrency) {
      slot.running++;
      return Promise.resolve();
    }
    if (slot.waiting.length >= this.options.maxWaiting) {
      return Promise.reject(new ApiError('service_unavailable', this.options.refusal.full));
    }
    const queue = slot;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const index = queue.waiting.indexOf(waiter);
          if (index >= 0) queue.waiting.splice(index, 1);
          this.forgetIfIdle(key, queue);
          reject(new ApiError('service_unavailable', this.options.refusal.timedOut));
        }, this.options.maxWaitMs),
      };
      queue.waiting.push(waiter);
    });
  }

  private release(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    const next = slot.waiting.shift();
    if (next) {
      // The slot passes straight to the next in line: `running` stays the same.
      clearTimeout(next.timer);
      next.resolve();
      return;
    }
    slot.running--;
    this.forgetIfIdle(key, slot);
  }

  private forgetIfIdle(key: string, slot: Slot): void {
    if (slot.running === 0 && slot.waiting.length === 0 && this.slots.get(key) === slot) {
      this.slots.delete(key);
    }
  }
}
