// Default model parameters, chosen so that `tdfwd simulate --scenario incident --agents 1000` tells
// the 2019 story:
// - each agent seals one chunk per flush interval (10 s, the buffer default): 1000 agents → 100 req/s;
// - the endpoint's capacity defaults to TWICE that normal load (normal load = 50% of capacity), so it
//   has headroom in normal times and can drain a backlog after recovery at capacity − load;
// - the endpoint holds 30 s of work at full capacity in its queue (150 s at the incident's 20%, so
//   requests queued during the incident pass the 60 s load balancer timeout);
// - the 2019 agents retried each chunk every 60 s.
import type { SimulationOptions } from './run.js';
import type { ScenarioName } from './scenario.js';

export const DEFAULT_DURATION_MS: Record<ScenarioName, number> = { incident: 6 * 3_600_000, outage: 3_600_000 };

/** Normal load as a fraction of the default capacity. */
export const NORMAL_LOAD_FRACTION = 0.5;

export function defaultCapacity(agents: number, flushIntervalMs: number): number {
  const normalRps = agents / (flushIntervalMs / 1000);
  return Math.round((normalRps / NORMAL_LOAD_FRACTION) * 100) / 100;
}

export type SimulationInput = Partial<SimulationOptions> & { agents?: number; scenario?: ScenarioName };

export function resolveSimulationOptions(input: SimulationInput = {}): SimulationOptions {
  const agents = input.agents ?? 1000;
  const scenario = input.scenario ?? 'incident';
  const flushIntervalMs = input.flushIntervalMs ?? 30_000;
  const base: SimulationOptions = {
    agents,
    scenario,
    policies: ['tdfwd', 'periodic', 'fluentd'],
    capacityRps: defaultCapacity(agents, flushIntervalMs),
    durationMs: DEFAULT_DURATION_MS[scenario],
    capacityFactor: 0.2,
    failRate: 0.8,
    acceptThenTimeout: 0,
    dedupWindowMs: 20 * 60_000,
    lbTimeoutMs: 60_000,
    flushIntervalMs,
    seed: 1,
    warmupMs: 10 * 60_000,
    queueLimitS: 30,
    rttMs: 50,
    overloadStatus: 503,
    overloadRetryAfterS: null,
    periodicIntervalMs: 60_000,
    recordsPerChunk: 100,
    maxDrainMs: 24 * 3_600_000,
    tailMs: 10 * 60_000,
    resolutionMs: 100,
    binMs: 10_000,
  };
  const out = { ...base };
  for (const [k, v] of Object.entries(input)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
