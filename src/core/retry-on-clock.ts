// Waiting out a step that must eventually succeed (a buffer write on a full disk, the `block` overflow
// wait) with p-retry, on an injected clock. p-retry runs the loop: attempts, abort, which errors are
// thrown at once. Its own timers are off (minTimeout 0); each wait is the clock's sleep, taken in
// onFailedAttempt (which p-retry awaits), so the delivery unit tests and `simulate` run it on virtual
// time. A TypeError (a programming error) is never retried.
import pRetry from 'p-retry';
import type { Clock } from './clock.js';

export interface RetryOnClockOptions {
  clock: Clock;
  /**
   * Stops the waiting: a wait in progress ends early, and the next failure is thrown. The step itself
   * is always tried at least once, aborted or not (a success that came back after a stop still counts),
   * which is why the signal is not handed to p-retry.
   */
  signal?: AbortSignal | undefined;
  /** Whether this failure is worth waiting out; any other is thrown at once. */
  retryable(err: Error): boolean;
  /** The wait after the nth failure (n from 1). */
  delayMs(attempt: number): number;
  /** Told of each failure that will be waited out, before its wait. */
  onFailure?(err: Error, attempt: number): void;
}

/** Runs step until it returns; throws its first failure that is not retryable, or any failure once aborted. */
export function retryOnClock<T>(step: () => T | Promise<T>, o: RetryOnClockOptions): Promise<T> {
  return pRetry(() => step(), {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: 0,
    maxTimeout: 0,
    factor: 1,
    async onFailedAttempt({ error, attemptNumber }) {
      if (o.signal?.aborted || error instanceof TypeError || !o.retryable(error)) throw error;
      o.onFailure?.(error, attemptNumber);
      await o.clock.sleep(o.delayMs(attemptNumber), o.signal);
    },
  });
}
