// The 2019 baseline: every chunk retried on its own at a fixed interval, with no limit on requests
// in flight. tdfwd's scheduler retries per output and cannot express this, so it is modelled here,
// aggregated for speed.
//
// Time moves in ticks (1 s). Each agent has a ring of `interval / tick + 1` slots holding the chunk
// ids it sends at that tick. A chunk turned away (connection refused, endpoint queue full, answered
// within one tick) is due again exactly one ring later: it simply stays in its slot. So each tick
// costs: the seals, the requests the endpoint admits (one by one, agents taking turns in a random
// order), and ONE count for everything else in the slot — a backlog of millions of chunks costs
// nothing per chunk while the endpoint turns them away. Admitted chunks that fail are due again
// more than a ring later and wait in `later` until their tick comes.
import type { Random } from '../core/clock.js';
import { jittered } from '../delivery/backoff.js';
import type { ChunkTable } from './chunk-table.js';
import type { EndpointModel } from './endpoint-model.js';
import type { FleetOptions } from './engine-fleet.js';
import type { FleetStats } from './fleet-stats.js';
import { deriveRandom } from './random.js';
import type { VirtualClock } from './virtual-clock.js';

export interface PeriodicOptions extends FleetOptions {
  retryIntervalMs: number;
  tickMs: number;
}

export class PeriodicFleet {
  readonly #o: PeriodicOptions;
  readonly #clock: VirtualClock;
  readonly #endpoint: EndpointModel;
  readonly #table: ChunkTable;
  readonly #stats: FleetStats;
  readonly #random: Random;
  readonly #startAt: number;
  readonly #slots: number;
  /** agent · slots + (tick mod slots) → the agent's chunk ids due at that tick. */
  readonly #ring: number[][];
  /** Chunk ids in each slot, over all agents. */
  readonly #slotTotal: Float64Array;
  /** tick → [agent, id, agent, id, ...] due then, for chunks due more than one ring ahead. */
  readonly #later = new Map<number, number[]>();
  readonly #nextSealAt: Float64Array;
  readonly #order: Int32Array;
  readonly #agentRandom: Random[] = [];

  constructor(clock: VirtualClock, endpoint: EndpointModel, table: ChunkTable, stats: FleetStats, o: PeriodicOptions) {
    this.#o = o;
    this.#clock = clock;
    this.#endpoint = endpoint;
    this.#table = table;
    this.#stats = stats;
    this.#random = deriveRandom(o.seed, -1);
    this.#startAt = clock.now();
    this.#slots = Math.ceil(o.retryIntervalMs / o.tickMs) + 1;
    this.#ring = Array.from({ length: o.agents * this.#slots }, () => []);
    this.#slotTotal = new Float64Array(this.#slots);
    this.#nextSealAt = new Float64Array(o.agents);
    this.#order = new Int32Array(o.agents);
    for (let a = 0; a < o.agents; a++) {
      const r = deriveRandom(o.seed, a);
      this.#agentRandom.push(r);
      this.#nextSealAt[a] = this.#startAt + r() * o.flushIntervalMs;
      this.#order[a] = a;
    }
    shuffle(this.#order, this.#random);
    const step = (): void => {
      this.#tick(this.#tickOf(clock.now()));
      clock.setTimer(o.tickMs, step);
    };
    clock.setTimer(0, step);
  }

  #tickOf(t: number): number {
    return Math.ceil((t - this.#startAt) / this.#o.tickMs);
  }

  #put(agent: number, slot: number, id: number): void {
    (this.#ring[agent * this.#slots + slot] as number[]).push(id);
    this.#slotTotal[slot] = (this.#slotTotal[slot] as number) + 1;
  }

  #tick(k: number): void {
    const t = this.#clock.now();
    const o = this.#o;
    const slot = k % this.#slots;
    const later = this.#later.get(k);
    if (later) {
      this.#later.delete(k);
      for (let i = 0; i < later.length; i += 2) this.#put(later[i] as number, slot, later[i + 1] as number);
    }
    for (let agent = 0; agent < o.agents; agent++) {
      if ((this.#nextSealAt[agent] as number) > t) continue;
      this.#put(agent, slot, this.#table.add(agent, t));
      this.#stats.onSealed(agent);
      this.#nextSealAt[agent] = t + jittered(o.flushIntervalMs, 0.1, this.#agentRandom[agent] as Random);
    }
    if (this.#slotTotal[slot] === 0) return;
    const order = this.#order;
    const first = Math.floor(this.#random() * order.length);
    for (let n = 0; n < order.length && this.#endpoint.wouldAdmit(t); n++) {
      const agent = order[(first + n) % order.length] as number;
      this.#sendAdmitted(agent, slot, t);
    }
    const rest = this.#slotTotal[slot] as number;
    if (rest === 0) return;
    const answer = this.#endpoint.turnAway(rest, t);
    if (this.#tickOf(t + answer.latencyMs + o.retryIntervalMs) !== k + this.#slots) {
      throw new RangeError('the periodic model needs turned-away answers within one tick');
    }
  }

  /** Send the agent's due chunks while the endpoint admits them; the rest stay in the slot. */
  #sendAdmitted(agent: number, slot: number, t: number): void {
    const ids = this.#ring[agent * this.#slots + slot] as number[];
    if (ids.length === 0) return;
    const endpoint = this.#endpoint;
    const o = this.#o;
    let sent = 0;
    while (sent < ids.length && endpoint.wouldAdmit(t)) {
      const id = ids[sent++] as number;
      const answer = endpoint.request(id, o.recordsPerChunk, t);
      const at = t + answer.latencyMs;
      if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
        this.#stats.onDelivered(id, at);
        continue;
      }
      const due = this.#tickOf(at + o.retryIntervalMs);
      const list = this.#later.get(due);
      if (list) list.push(agent, id);
      else this.#later.set(due, [agent, id]);
    }
    if (sent === ids.length) ids.length = 0;
    else ids.splice(0, sent);
    this.#slotTotal[slot] = (this.#slotTotal[slot] as number) - sent;
  }
}

function shuffle(a: Int32Array, random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const x = a[i] as number;
    a[i] = a[j] as number;
    a[j] = x;
  }
}
