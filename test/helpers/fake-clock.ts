// The unit tests' virtual clock: a thin wrapper over simulate's VirtualClock (one virtual clock in the
// project), so delivery code runs on virtual time in tests exactly as it does in `tdfwd simulate`.
// What it adds for tests: a fixed start time, exact due times (resolution 1 ms), three macrotask turns
// per settle (so async code driven by timers, e.g. a worker awaiting a fake output, runs as it would on
// the wall clock), a settle after `advance` reaches its target, and `advanceUntil`.
// The seeded Random is simulate's (mulberry32); scriptedRandom returns given values.
import type { Random } from '../../src/core/clock.js';
import { seededRandom as simulateRandom } from '../../src/simulate/random.js';
import { VirtualClock } from '../../src/simulate/virtual-clock.js';

const SETTLE_TURNS = 3;

export class FakeClock extends VirtualClock {
  constructor(start = 1_700_000_000_000) {
    super(start, 1, SETTLE_TURNS);
  }

  /** Move time forward by ms, firing due timers in order and letting promises settle after each. */
  override async advance(ms: number): Promise<void> {
    await this.runUntil(this.now() + ms);
    await this.settle();
  }

  /** Advance in steps of stepMs until predicate holds or maxMs passes; returns whether it held. */
  async advanceUntil(predicate: () => boolean, maxMs: number, stepMs = 10): Promise<boolean> {
    for (let t = 0; t < maxMs; t += stepMs) {
      if (predicate()) return true;
      await this.advance(stepMs);
    }
    return predicate();
  }
}

/** Let queued promise callbacks (and a few macrotask turns) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise<void>((r) => setImmediate(r));
}

/** mulberry32 (simulate's seeded PRNG), uniform in [0, 1). */
export function seededRandom(seed = 42): Random {
  return simulateRandom(seed);
}

/** A Random that returns the given values in turn (then repeats the last). */
export function scriptedRandom(...values: number[]): Random {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}
