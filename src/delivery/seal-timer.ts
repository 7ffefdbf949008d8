// The flush timer: seals open chunks so none waits longer than about `flush_interval` for delivery.
// Jittered, because a fleet started together (a deploy, a reboot) must not seal and send in lockstep:
// the first tick comes after a random fraction of the interval, later ticks every interval ±10%.
//
// Each tick seals the chunks that would be older than the interval before the next tick comes, i.e.
// those created before `now + nextDelay - interval` (never later than now), so a chunk's age at
// sealing stays close to the interval instead of drifting up to twice it.
//
// States: waiting (a timer set) → sealing (one seal running; ticks never overlap) → waiting; stopped.
import type { Clock, Random, TimerHandle } from '../core/clock.js';
import { jittered } from './backoff.js';

export interface SealTimerOptions {
  clock: Clock;
  random: Random;
  /** flush_interval, in ms. */
  intervalMs: number;
  /**
   * Seal the open chunks created at or before `olderThanMs` (ms epoch, as ChunkStore.sealOpen takes
   * it). A rejection is reported to `onError` and the timer keeps going.
   */
  seal: (olderThanMs: number) => Promise<void>;
  onError?: (err: unknown) => void;
  /** ± fraction applied to each interval; default 0.1. */
  jitter?: number;
}

export interface SealTimer {
  stop(): void;
}

export function startSealTimer(o: SealTimerOptions): SealTimer {
  const fraction = o.jitter ?? 0.1;
  const interval = Math.max(1, o.intervalMs);
  let timer: TimerHandle | null = null;
  let stopped = false;

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = o.clock.setTimer(delay, () => void tick());
  };

  const tick = async (): Promise<void> => {
    timer = null;
    if (stopped) return;
    const next = jittered(interval, fraction, o.random);
    const now = o.clock.now();
    try {
      await o.seal(Math.min(now, now + next - interval));
    } catch (err) {
      o.onError?.(err);
    }
    // The seal's own duration counts against the next wait, so slow seals do not stretch the period.
    schedule(Math.max(0, next - (o.clock.now() - now)));
  };

  schedule(o.random() * interval);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
      timer = null;
    },
  };
}
