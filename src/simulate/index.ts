// `tdfwd simulate`: a fleet of agents through an incident or outage, on virtual time, per policy.
// The `tdfwd` and `fluentd` policies run the real delivery engine; see run.ts, policies.ts.
import { renderChart } from './chart.js';
import { summarize, type PolicyReport } from './report.js';
import { runSimulation, type PolicyRun, type SimulationOptions } from './run.js';

export { resolveSimulationOptions, defaultCapacity, DEFAULT_DURATION_MS, NORMAL_LOAD_FRACTION, type SimulationInput } from './defaults.js';
export { POLICIES, parsePolicies, policyOutputConfig, type PolicyName } from './policies.js';
export { renderTable, summarize, type PolicyReport } from './report.js';
export { runPolicy, runSimulation, SIM_EPOCH, type PolicyRun, type SimulationOptions } from './run.js';
export { SCENARIOS, type ScenarioName } from './scenario.js';
export { renderChart } from './chart.js';
export { VirtualClock } from './virtual-clock.js';

export interface SimulationResult {
  options: SimulationOptions;
  runs: PolicyRun[];
  reports: PolicyReport[];
}

export async function simulate(options: SimulationOptions, onRun?: (report: PolicyReport) => void): Promise<SimulationResult> {
  const runs = await runSimulation(options, (run) => onRun?.(summarize(run)));
  return { options, runs, reports: runs.map(summarize) };
}

export function chartOf(result: SimulationResult): string {
  const first = result.runs[0];
  if (!first) throw new RangeError('no runs to chart');
  const o = result.options;
  const tl = first.timeline;
  const binMs = first.endpoint.o.binMs;
  const what = o.scenario === 'incident' ? `incident: ${Math.round(o.capacityFactor * 100)}% capacity, ${Math.round(o.failRate * 100)}% failing` : 'outage: connection refused';
  return renderChart({
    title: `tdfwd simulate: ${o.agents} agents, ${what}`,
    startAt: tl.startAt,
    troubleAt: tl.troubleAt,
    recoveryAt: tl.recoveryAt,
    troubleLabel: o.scenario,
    binMs,
    capacityRps: o.capacityRps,
    capacitySteps: tl.capacitySteps(),
    series: result.runs.map((r) => ({ policy: r.policy, bins: r.endpoint.bins, length: Math.ceil((r.endedAt - tl.startAt) / binMs) })),
  });
}
