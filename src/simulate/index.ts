// `tdfwd simulate`: a fleet of agents through an incident or outage, on virtual time, per policy.
// The `tdfwd` and `fluentd` policies run the real delivery engine; see run.ts, policies.ts.
// Policies are independent runs: with `jobs` > 1 (and compiled JavaScript) each runs in a worker
// thread with a larger young generation (the runs allocate many short-lived promises).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { renderChart } from './chart.js';
import { outcomeOf, type PolicyOutcome } from './outcome.js';
import type { PolicyName } from './policies.js';
import type { PolicyReport } from './report.js';
import { runPolicy, timelineOf, type SimulationOptions } from './run.js';

export { resolveSimulationOptions, defaultCapacity, DEFAULT_DURATION_MS, NORMAL_LOAD_FRACTION, type SimulationInput } from './defaults.js';
export { POLICIES, parsePolicies, policyOutputConfig, type PolicyName } from './policies.js';
export { renderTable, summarize, type PolicyReport } from './report.js';
export { runPolicy, timelineOf, SIM_EPOCH, type PolicyRun, type SimulationOptions } from './run.js';
export { SCENARIOS, type ScenarioName } from './scenario.js';
export { renderChart } from './chart.js';
export { VirtualClock } from './virtual-clock.js';
export type { PolicyOutcome } from './outcome.js';

export interface SimulationResult {
  options: SimulationOptions;
  outcomes: PolicyOutcome[];
  reports: PolicyReport[];
}

export interface SimulateHooks {
  /** Policies run at once in worker threads (1: in this thread). */
  jobs?: number;
  onRun?: (report: PolicyReport) => void;
}

const WORKER = new URL('./policy-worker.js', import.meta.url);
const YOUNG_GENERATION_MB = 192;

export async function simulate(options: SimulationOptions, hooks: SimulateHooks = {}): Promise<SimulationResult> {
  const jobs = Math.max(1, Math.min(hooks.jobs ?? 1, options.policies.length));
  const canFork = WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));
  const run = async (policy: PolicyName): Promise<PolicyOutcome> => {
    const outcome = jobs > 1 && canFork ? await inWorker(policy, options) : outcomeOf(await runPolicy(policy, options));
    hooks.onRun?.(outcome.report);
    return outcome;
  };
  const outcomes: PolicyOutcome[] = new Array<PolicyOutcome>(options.policies.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < options.policies.length) {
      const i = next++;
      outcomes[i] = await run(options.policies[i] as PolicyName);
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  return { options, outcomes, reports: outcomes.map((o) => o.report) };
}

function inWorker(policy: PolicyName, options: SimulationOptions): Promise<PolicyOutcome> {
  return new Promise((resolve, reject) => {
    // execArgv: none of the parent's node flags (e.g. --input-type) apply to the worker script.
    const worker = new Worker(WORKER, { workerData: { policy, options }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    let result: PolicyOutcome | undefined;
    worker.once('message', (m: PolicyOutcome) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`the ${policy} simulation worker exited with code ${code}`))));
  });
}

export function chartOf(result: SimulationResult): string {
  const o = result.options;
  const tl = timelineOf(o);
  const what = o.scenario === 'incident' ? `incident: ${Math.round(o.capacityFactor * 100)}% capacity, ${Math.round(o.failRate * 100)}% failing` : 'outage: connection refused';
  return renderChart({
    title: `tdfwd simulate: ${o.agents} agents, ${what}`,
    startAt: tl.startAt,
    troubleAt: tl.troubleAt,
    recoveryAt: tl.recoveryAt,
    troubleLabel: o.scenario,
    binMs: o.binMs,
    capacityRps: o.capacityRps,
    capacitySteps: tl.capacitySteps(),
    series: result.outcomes.map((r) => ({ policy: r.report.policy, bins: r.bins, length: r.bins.length })),
  });
}
