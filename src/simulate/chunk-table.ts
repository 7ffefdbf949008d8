// Every chunk the simulated fleet seals, in growable typed arrays indexed by a global chunk id: a
// 1000-agent, 12-hour run seals millions of chunks, too many for one object each. Owns per chunk:
// the agent, creation time, attempts, first attempt, in-doubt time and state.
//
// States: queued ⇄ inflight → delivered ; inflight → parked ; inflight → split (replaced by its halves)

export const QUEUED = 1;
export const INFLIGHT = 2;
export const DELIVERED = 3;
export const PARKED = 4;
export const SPLIT = 5;

export class ChunkTable {
  #size = 0;
  agent = new Int32Array(1024);
  createdAt = new Float64Array(1024);
  firstAttemptAt = new Float64Array(1024);
  /** NaN while the chunk has never been in doubt. */
  inDoubtSince = new Float64Array(1024);
  attempts = new Uint32Array(1024);
  state = new Uint8Array(1024);

  get size(): number {
    return this.#size;
  }

  /** A new queued chunk of `agent`, created at `t`; returns its id. */
  add(agent: number, t: number): number {
    if (this.#size === this.state.length) this.#grow();
    const id = this.#size++;
    this.agent[id] = agent;
    this.createdAt[id] = t;
    this.firstAttemptAt[id] = NaN;
    this.inDoubtSince[id] = NaN;
    this.attempts[id] = 0;
    this.state[id] = QUEUED;
    return id;
  }

  #grow(): void {
    const n = this.state.length * 2;
    this.agent = grow(this.agent, new Int32Array(n));
    this.createdAt = grow(this.createdAt, new Float64Array(n));
    this.firstAttemptAt = grow(this.firstAttemptAt, new Float64Array(n));
    this.inDoubtSince = grow(this.inDoubtSince, new Float64Array(n));
    this.attempts = grow(this.attempts, new Uint32Array(n));
    this.state = grow(this.state, new Uint8Array(n));
  }
}

function grow<T extends Int32Array | Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
