// A fleet of agents running the REAL delivery engine: per agent one DeliveryEngine with one output
// (a SimOutput to the shared modelled endpoint) over its own in-memory queue. Each agent seals a
// chunk every flush interval (jittered ±10% with the real `jittered`, first seal at a random phase)
// and wakes its engine, as the daemon's seal timer does; everything else — leasing, backoff, probing,
// adaptive concurrency, Retry-After, in-doubt-first — is the engine's own doing.
import type { Random } from '../core/clock.js';
import type { OutputConfig } from '../config/types.js';
import { jittered } from '../delivery/backoff.js';
import { DeliveryEngine } from '../delivery/engine.js';
import type { ChunkTable } from './chunk-table.js';
import type { EndpointModel } from './endpoint-model.js';
import type { FleetStats } from './fleet-stats.js';
import { MemoryQueue } from './memory-queue.js';
import { deriveRandom } from './random.js';
import { SimOutput } from './sim-output.js';
import type { VirtualClock } from './virtual-clock.js';

export interface FleetOptions {
  agents: number;
  flushIntervalMs: number;
  recordsPerChunk: number;
  seed: number;
}

/** How long an idle worker sleeps before looking again; seals wake it, so this is only a safety net. */
const IDLE_POLL_MS = 60_000;

export class EngineFleet {
  readonly engines: DeliveryEngine[] = [];
  readonly queues: MemoryQueue[] = [];

  constructor(config: OutputConfig, clock: VirtualClock, endpoint: EndpointModel, table: ChunkTable, stats: FleetStats, o: FleetOptions) {
    const now = () => clock.now();
    for (let a = 0; a < o.agents; a++) {
      const random = deriveRandom(o.seed, a);
      const queue = new MemoryQueue(a, table, stats, now, o.recordsPerChunk);
      const engine = new DeliveryEngine({ queue, outputs: [new SimOutput(config, clock, endpoint)], clock, random, pollMs: IDLE_POLL_MS });
      this.queues.push(queue);
      this.engines.push(engine);
      engine.start();
      startSealing(clock, random, o.flushIntervalMs, () => {
        queue.seal();
        engine.wake();
      });
    }
  }
}

function startSealing(clock: VirtualClock, random: Random, intervalMs: number, seal: () => void): void {
  const tick = (): void => {
    seal();
    clock.setTimer(jittered(intervalMs, 0.1, random), tick);
  };
  clock.setTimer(random() * intervalMs, tick);
}
