// What the buffer remembers for `tdfwd status` when no daemon runs: counters (dropped chunks and
// records...), each output's last recorded state, and the chunk counts by state.
import type { ChunkState, PendingRoute } from '../core/chunk.js';
import type { StoreContext } from './context.js';

export interface BufferStats {
  chunks: Record<ChunkState, number>;
  pendingRecords: number;
  pendingBytes: number;
  parkedRecords: number;
  storedBytes: number;
  oldestPendingCreatedAt: number | null;
  /** Fan-out copies (routing: copy) by the output they go to (absent from stats made elsewhere: none). */
  copies?: Record<string, CopyCounts>;
}

export interface CopyCounts {
  queued: number;
  inflight: number;
  parked: number;
}

export interface RecordedOutputState {
  name: string;
  state: string;
  concurrency: number;
  next_attempt_at: string | null;
  recorded_at: string;
}

export class OutputStateBook {
  readonly #c: StoreContext;

  constructor(c: StoreContext) {
    this.#c = c;
  }

  bumpCounter(name: string, by: number): void {
    const c = this.#c;
    c.guard(() => c.st.bumpCounter.run(name, by));
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.#c.st.counters.all()) out[r.name] = r.value;
    return out;
  }

  saveOutputState(name: string, state: string, concurrency: number, nextAttemptAt: number | null): void {
    const c = this.#c;
    c.guard(() => c.st.saveOutputState.run(name, state, concurrency, nextAttemptAt, c.now()));
  }

  /** Each output's last recorded state, with when it was recorded. */
  outputStates(): RecordedOutputState[] {
    return this.#c.st.outputStates.all().map((r) => ({
      name: r.name,
      state: r.state,
      concurrency: r.concurrency,
      next_attempt_at: r.next_attempt_at === null ? null : new Date(r.next_attempt_at).toISOString(),
      recorded_at: new Date(r.updated_at).toISOString(),
    }));
  }

  /** What waits for delivery, by tag and by fan-out copy. */
  pendingByRoute(): PendingRoute[] {
    return this.#c.st.pendingByRoute.all();
  }

  stats(): BufferStats {
    const chunks: Record<ChunkState, number> = { open: 0, sealing: 0, queued: 0, inflight: 0, parked: 0 };
    let pendingRecords = 0;
    let pendingBytes = 0;
    let parkedRecords = 0;
    let oldest: number | null = null;
    for (const r of this.#c.st.countsByState.all()) {
      chunks[r.state] = r.chunks;
      if (r.state === 'parked') {
        parkedRecords += r.records;
        continue;
      }
      pendingRecords += r.records;
      pendingBytes += r.raw;
      if (oldest === null || r.oldest < oldest) oldest = r.oldest;
    }
    // A payload shared by fan-out copies counts once.
    const storedBytes = this.#c.st.totalStored.get()?.n ?? 0;
    const copies: Record<string, CopyCounts> = {};
    for (const r of this.#c.st.copiesByOutput.all()) {
      const counts = (copies[r.output] ??= { queued: 0, inflight: 0, parked: 0 });
      if (r.state === 'queued' || r.state === 'inflight' || r.state === 'parked') counts[r.state] += r.chunks;
    }
    return { chunks, pendingRecords, pendingBytes, parkedRecords, storedBytes, oldestPendingCreatedAt: oldest, copies };
  }
}
