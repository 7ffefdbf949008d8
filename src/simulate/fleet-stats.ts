// What the fleet's agents experienced, counted as chunks are sealed and acknowledged. Owns: counts of
// sealed / delivered / parked chunks, the worst delivery delay (seal → acknowledged import, the
// visibility delay users feel), and the backlog: per agent the chunks not yet delivered, and how many
// agents hold more than one (in normal operation an agent holds at most the chunk it just sealed).
// The backlog has drained when, after recovery, no agent holds more than one undelivered chunk.
import type { ChunkTable } from './chunk-table.js';

export class FleetStats {
  sealed = 0;
  delivered = 0;
  parked = 0;
  maxDelayMs = 0;
  /** Agents holding more than one undelivered chunk. */
  backloggedAgents = 0;
  /** When the backlog drained after recovery (null: not yet). */
  drainedAt: number | null = null;
  readonly #table: ChunkTable;
  readonly #recoveryAt: number;
  readonly #pending: Int32Array;

  constructor(table: ChunkTable, agents: number, recoveryAt: number) {
    this.#table = table;
    this.#recoveryAt = recoveryAt;
    this.#pending = new Int32Array(agents);
  }

  onSealed(agent: number): void {
    this.sealed++;
    const n = (this.#pending[agent] as number) + 1;
    this.#pending[agent] = n;
    if (n === 2) this.backloggedAgents++;
  }

  onDelivered(id: number, t: number): void {
    this.delivered++;
    const delay = t - (this.#table.createdAt[id] as number);
    if (delay > this.maxDelayMs) this.maxDelayMs = delay;
    this.#done(id, t);
  }

  onParked(id: number, t: number): void {
    this.parked++;
    this.#done(id, t);
  }

  /** Called as time passes: notes a drain that needed no delivery (nothing was backlogged). */
  check(now: number): void {
    if (this.drainedAt === null && now >= this.#recoveryAt && this.backloggedAgents === 0) this.drainedAt = now;
  }

  /** Chunks not delivered (queued, in flight or parked) when the run ended. */
  get undelivered(): number {
    return this.sealed - this.delivered;
  }

  #done(id: number, t: number): void {
    const agent = this.#table.agent[id] as number;
    const n = (this.#pending[agent] as number) - 1;
    this.#pending[agent] = n;
    if (n === 1) {
      this.backloggedAgents--;
      if (this.backloggedAgents === 0 && this.drainedAt === null && t >= this.#recoveryAt) this.drainedAt = t;
    }
  }
}
