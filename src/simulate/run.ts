// One simulation run per policy, each on a fresh virtual clock, endpoint and fleet with the same seed:
// warm-up, trouble, recovery, and on until the pre-recovery backlog is delivered (plus a tail, so the
// chart shows the return to normal) or `maxDrainMs` after recovery.
import type { OutputConfig } from '../config/types.js';
import { ChunkTable } from './chunk-table.js';
import { EndpointModel } from './endpoint-model.js';
import { EngineFleet } from './engine-fleet.js';
import { FleetStats } from './fleet-stats.js';
import { PeriodicFleet } from './periodic-fleet.js';
import { policyOutputConfig, type PolicyName } from './policies.js';
import { deriveRandom } from './random.js';
import { Timeline, type ScenarioName } from './scenario.js';
import { VirtualClock } from './virtual-clock.js';

export interface SimulationOptions {
  agents: number;
  scenario: ScenarioName;
  policies: PolicyName[];
  /** Requests/s the endpoint handles at full capacity. */
  capacityRps: number;
  /** How long the incident or outage lasts. */
  durationMs: number;
  /** Incident: capacity left, as a fraction. */
  capacityFactor: number;
  /** Incident: fraction of processed requests that fail. */
  failRate: number;
  /** Incident: fraction of imported requests answered after the load balancer timeout. */
  acceptThenTimeout: number;
  dedupWindowMs: number;
  lbTimeoutMs: number;
  flushIntervalMs: number;
  seed: number;
  warmupMs: number;
  /** The endpoint's queue, in seconds of work at full capacity (beyond it: overloadStatus). */
  queueLimitS: number;
  rttMs: number;
  overloadStatus: 429 | 503;
  overloadRetryAfterS: number | null;
  /** The periodic policy's fixed retry interval. */
  periodicIntervalMs: number;
  recordsPerChunk: number;
  /** Give up waiting for the drain this long after recovery. */
  maxDrainMs: number;
  /** Keep running this long after the drain. */
  tailMs: number;
  /** Virtual clock resolution. */
  resolutionMs: number;
  /** Request-rate histogram bins (the peak is the highest bin average after recovery). */
  binMs: number;
}

export interface PolicyRun {
  policy: PolicyName;
  config: OutputConfig | null;
  timeline: Timeline;
  endpoint: EndpointModel;
  stats: FleetStats;
  endedAt: number;
  timersFired: number;
  wallMs: number;
}

/** 2019-09-04 06:28 UTC (23:28 PDT, the release): only so that dates in the run look like the story. */
export const SIM_EPOCH = Date.UTC(2019, 8, 4, 6, 28);

/** The run's timeline: the trouble starts at SIM_EPOCH, after the warm-up. */
export function timelineOf(o: SimulationOptions): Timeline {
  return new Timeline(
    { name: o.scenario, warmupMs: o.warmupMs, durationMs: o.durationMs, capacityFactor: o.capacityFactor, failRate: o.failRate, acceptThenTimeout: o.acceptThenTimeout },
    SIM_EPOCH - o.warmupMs,
  );
}

export async function runPolicy(policy: PolicyName, o: SimulationOptions): Promise<PolicyRun> {
  const wallStart = performance.now();
  const timeline = timelineOf(o);
  const clock = new VirtualClock(timeline.startAt, o.resolutionMs);
  const endpoint = new EndpointModel(
    {
      capacityRps: o.capacityRps,
      queueLimit: Math.max(1, Math.round(o.queueLimitS * o.capacityRps)),
      lbTimeoutMs: o.lbTimeoutMs,
      dedupWindowMs: o.dedupWindowMs,
      rttMs: o.rttMs,
      overloadStatus: o.overloadStatus,
      overloadRetryAfterS: o.overloadRetryAfterS,
      binMs: o.binMs,
    },
    timeline,
    deriveRandom(o.seed, 1_000_000_007),
  );
  const table = new ChunkTable();
  const stats = new FleetStats(table, o.agents, timeline.recoveryAt);
  const fleet = { agents: o.agents, flushIntervalMs: o.flushIntervalMs, recordsPerChunk: o.recordsPerChunk, seed: o.seed };
  let config: OutputConfig | null = null;
  if (policy === 'periodic') {
    new PeriodicFleet(clock, endpoint, table, stats, { ...fleet, retryIntervalMs: o.periodicIntervalMs, tickMs: 1000 });
  } else {
    config = policyOutputConfig(policy, { dedupWindowMs: o.dedupWindowMs });
    new EngineFleet(config, clock, endpoint, table, stats, fleet);
  }
  const stop = (): boolean => {
    const now = clock.now();
    if (now < timeline.recoveryAt) return false;
    stats.check(now);
    return stats.drainedAt !== null && now >= stats.drainedAt + o.tailMs;
  };
  await clock.runUntil(timeline.recoveryAt + o.maxDrainMs, stop);
  return { policy, config, timeline, endpoint, stats, endedAt: clock.now(), timersFired: clock.fired, wallMs: performance.now() - wallStart };
}
