// Time as an injected dependency. Delivery code never calls Date.now() or setTimeout directly, so the
// same scheduler runs on the wall clock in the daemon and on a virtual clock in tests and `simulate`.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run fn after ms milliseconds (never synchronously). */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Resolve after ms milliseconds; resolves early (without error) if the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

/** A source of uniform randomness in [0, 1), injectable for deterministic tests and simulations. */
export type Random = () => number;
export const systemRandom: Random = Math.random;
