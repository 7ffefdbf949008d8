// Retry waits, as named policies (bullmq's `fixed` / `exponential`). The cap applies before the jitter,
// so agents that all reached the cap stay de-synchronised instead of retrying in lockstep.
import type { RetryConfig } from '../config/types.js';
import type { Random } from '../core/clock.js';

export type BackoffPolicy = Pick<RetryConfig, 'type' | 'wait' | 'maxWait' | 'jitter' | 'randomize'>;

/** The wait before attempt `failures + 1`, in ms, after `failures` (>= 1) consecutive failures. */
export function backoffWait(policy: BackoffPolicy, failures: number, random: Random): number {
  const n = Math.max(1, failures);
  if (policy.type === 'periodic') {
    const spread = policy.wait * policy.randomize;
    return Math.max(0, policy.wait - spread + random() * 2 * spread);
  }
  const capped = Math.min(policy.maxWait, policy.wait * 2 ** Math.min(n - 1, 52));
  switch (policy.jitter) {
    case 'full':
      return random() * capped;
    case 'equal':
      return capped / 2 + (random() * capped) / 2;
    case 'none':
      return capped;
  }
}

/** A duration jittered by ±fraction (timers many agents run at once: flush interval, start-up). */
export function jittered(ms: number, fraction: number, random: Random): number {
  return Math.max(0, ms * (1 - fraction + random() * 2 * fraction));
}
