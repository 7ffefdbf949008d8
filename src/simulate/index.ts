// `tdfwd simulate`: a fleet of agents through an incident or outage, on virtual time, per policy.
// The `tdfwd` and `fluentd` policies run the real delivery engine; see run.ts, policies.ts.
// Policies are independent runs: with `jobs` > 1 (and compiled JavaScript) each runs in a worker
// thread with a larger young generation (the runs allocate many short-lived promises).
//
// A worker run settles on the worker's reply, not on its exit. A worker that ends without a usable
// reply (it exited, or its message could not be read here) does not fail the simulation: that policy
// runs again in this thread (same seed, same result) and hooks.onWorkerLost says why.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { renderChart } from './chart.js';
import { outcomeOf, type PolicyOutcome, type WorkerReply } from './outcome.js';
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
  /** The worker script (default: policy-worker.js next to this module; tests give a misbehaving one). */
  worker?: URL;
  /** A worker ended without its result; the policy is then simulated in this thread. */
  onWorkerLost?: (policy: PolicyName, reason: string) => void;
}

const WORKER = new URL('./policy-worker.js', import.meta.url);
const YOUNG_GENERATION_MB = 192;

export async function simulate(options: SimulationOptions, hooks: SimulateHooks = {}): Promise<SimulationResult> {
  const jobs = Math.max(1, Math.min(hooks.jobs ?? 1, options.policies.length));
  const script = hooks.worker ?? WORKER;
  const canFork = script.protocol === 'file:' && existsSync(fileURLToPath(script));
  const run = async (policy: PolicyName): Promise<PolicyOutcome> => {
    let outcome: PolicyOutcome | undefined;
    if (jobs > 1 && canFork) {
      const reply = await inWorker(script, policy, options);
      if (typeof reply === 'string') hooks.onWorkerLost?.(policy, reply);
      else outcome = reply;
    }
    outcome ??= outcomeOf(await runPolicy(policy, options));
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

/** The worker's outcome; a string saying why there is none when it ended without a usable reply. */
function inWorker(script: URL, policy: PolicyName, options: SimulationOptions): Promise<PolicyOutcome | string> {
  return new Promise((resolve, reject) => {
    // execArgv: none of the parent's node flags (e.g. --input-type) apply to the worker script.
    const worker = new Worker(script, { workerData: { policy, options }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (reply: WorkerReply) => {
      // A failed run is a bug in the simulation: it fails here the same way it would in this thread.
      settle(() => (reply.ok ? resolve(reply.outcome) : reject(new Error(`the ${policy} simulation failed in its worker: ${reply.error}`))));
    });
    worker.on('messageerror', (err) => settle(() => resolve(`its result could not be read (${err.message})`)));
    worker.on('error', (err) => settle(() => resolve(`it failed (${err.message})`)));
    worker.on('exit', (code) => settle(() => resolve(`it exited with code ${code} before sending its result`)));
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
