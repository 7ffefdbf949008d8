// Paces V8's full garbage collections by the memory held outside the JavaScript heap.
//
// The hot paths (reading lines, encoding parts, zlib, SQLite blobs, request bodies) allocate two to
// three times their input in ArrayBuffers whose JavaScript handles are tiny, and many of those handles
// live just long enough (across a commit or a compression) to reach V8's old generation. V8 starts a
// full collection for them only once external memory has grown by about 64 MB since the last one, so
// tens of MB of dead buffers sat in RSS at the daemon's peak (bench/README.md). The pacer runs a full
// collection as soon as external memory has grown by GROWTH_BYTES instead. A collection of this
// program's small heap (~15 MB) takes a few ms and runs at most every MIN_GAP_MS: a few per cent of
// one core while buffers churn, nothing when idle (a check is one V8 statistics call).
//
// States: off → on (one per process; its timer is unref'd and never keeps the process alive).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const CHECK_MS = 50;
const MIN_GAP_MS = 100;
/** 8 MB collected more often for −0–3 MB of peak RSS and a slower `send` (bench/README.md). */
const GROWTH_BYTES = 16 * 1024 * 1024;

export interface GcPacer {
  /** Full collections the pacer has run. */
  readonly collections: number;
  stop(): void;
}

export interface GcPolicyDeps {
  /** Bytes held outside the JavaScript heap now (V8's external memory). */
  external: () => number;
  gc: () => void;
  now: () => number;
  growthBytes?: number;
  minGapMs?: number;
}

/**
 * The pacing rule alone, for the timer (and the unit tests): collect when external memory has grown
 * by growthBytes since the lowest level seen after the last collection, at most every minGapMs.
 */
export class GcPolicy {
  readonly #deps: GcPolicyDeps;
  readonly #growth: number;
  readonly #gap: number;
  #base: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  collections = 0;

  constructor(deps: GcPolicyDeps) {
    this.#deps = deps;
    this.#growth = deps.growthBytes ?? GROWTH_BYTES;
    this.#gap = deps.minGapMs ?? MIN_GAP_MS;
    this.#base = deps.external();
  }

  /** One check; true when it collected. */
  check(): boolean {
    const external = this.#deps.external();
    if (external < this.#base) this.#base = external;
    if (external - this.#base < this.#growth || this.#deps.now() - this.#lastAt < this.#gap) return false;
    this.#deps.gc();
    this.collections++;
    this.#lastAt = this.#deps.now();
    this.#base = this.#deps.external();
    return true;
  }
}

let running: GcPacer | null = null;

/** Starts the process's pacer (once; later calls return the same one). */
export function startGcPacer(): GcPacer {
  if (running) return running;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const policy = new GcPolicy({ external: () => getHeapStatistics().external_memory, gc, now: () => performance.now() });
  const timer = setInterval(() => policy.check(), CHECK_MS);
  timer.unref();
  const pacer: GcPacer = {
    get collections() {
      return policy.collections;
    },
    stop() {
      clearInterval(timer);
      running = null;
    },
  };
  running = pacer;
  return pacer;
}
