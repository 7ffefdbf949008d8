// `tdfwd simulate`: a fleet of agents through an incident or outage on a virtual clock, one run per
// policy, against a modelled endpoint. Prints a table (or --json), optionally writes an SVG chart.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';
import {
  chartOf,
  DEFAULT_DURATION_MS,
  parsePolicies,
  renderTable,
  resolveSimulationOptions,
  SCENARIOS,
  simulate,
  type ScenarioName,
  type SimulationOptions,
} from '../simulate/index.js';
import { action } from './action.js';
import { shortDuration } from './endpoint.js';

interface SimulateFlags {
  agents: string;
  scenario: string;
  policy: string;
  json?: boolean;
  out?: string;
  capacity?: string;
  incidentDuration?: string;
  incidentCapacity: string;
  failRate: string;
  acceptThenTimeout: string;
  dedupWindow: string;
  lbTimeout: string;
  flushInterval: string;
  queueLimit: string;
  overloadStatus: string;
  retryAfter?: string;
  periodicInterval: string;
  maxDrain: string;
  resolution: string;
  seed: string;
  jobs?: string;
}

function duration(flag: string, value: string, min = 0): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= min) throw new UsageError(`${flag}: expected a positive duration like "30s", "20m" or "6h", got "${value}".`);
  return ms;
}

function fraction(flag: string, value: string, opts: { above0?: boolean } = {}): number {
  const n = Number(value);
  const ok = value.trim() !== '' && n >= 0 && n <= 1 && (!opts.above0 || n > 0);
  if (!ok) throw new UsageError(`${flag}: expected a fraction ${opts.above0 ? 'above 0 and up to 1' : 'between 0 and 1'} like "0.2", got "${value}".`);
  return n;
}

function integer(flag: string, value: string, min: number, max: number, example: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected a whole number from ${min} to ${max} like "${example}", got "${value}".`);
  return n;
}

function positive(flag: string, value: string, example: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a positive number like "${example}", got "${value}".`);
  return n;
}

export function resolveSimulateFlags(f: SimulateFlags): SimulationOptions {
  if (!SCENARIOS.includes(f.scenario as ScenarioName)) throw new UsageError(`--scenario: expected one of ${SCENARIOS.join(', ')}, got "${f.scenario}".`);
  const scenario = f.scenario as ScenarioName;
  const policies = parsePolicies(f.policy);
  if (typeof policies === 'string') throw new UsageError(`--policy: ${policies}; give a comma-separated list of tdfwd, periodic, fluentd.`);
  const status = Number(f.overloadStatus);
  if (status !== 503 && status !== 429) throw new UsageError(`--overload-status: expected 503 or 429, got "${f.overloadStatus}".`);
  const resolution = duration('--resolution', f.resolution);
  if (resolution > 1000) throw new UsageError(`--resolution: at most 1s (the clock must resolve request latencies), got "${f.resolution}".`);
  const periodicInterval = duration('--periodic-interval', f.periodicInterval);
  if (periodicInterval < 2000) throw new UsageError(`--periodic-interval: at least 2s (the periodic model moves in 1 s ticks), got "${f.periodicInterval}".`);
  return resolveSimulationOptions({
    agents: integer('--agents', f.agents, 1, 100_000, '1000'),
    scenario,
    policies,
    capacityRps: f.capacity === undefined ? undefined : positive('--capacity', f.capacity, '200'),
    durationMs: f.incidentDuration === undefined ? DEFAULT_DURATION_MS[scenario] : duration('--incident-duration', f.incidentDuration),
    capacityFactor: fraction('--incident-capacity', f.incidentCapacity, { above0: true }),
    failRate: fraction('--fail-rate', f.failRate),
    acceptThenTimeout: fraction('--accept-then-timeout', f.acceptThenTimeout),
    dedupWindowMs: duration('--dedup-window', f.dedupWindow),
    lbTimeoutMs: duration('--lb-timeout', f.lbTimeout),
    flushIntervalMs: duration('--flush-interval', f.flushInterval, 99),
    queueLimitS: duration('--queue-limit', f.queueLimit) / 1000,
    overloadStatus: status,
    overloadRetryAfterS: f.retryAfter === undefined ? null : Math.ceil(duration('--retry-after', f.retryAfter) / 1000),
    periodicIntervalMs: periodicInterval,
    maxDrainMs: duration('--max-drain', f.maxDrain),
    resolutionMs: resolution,
    seed: integer('--seed', f.seed, 0, 2 ** 32 - 1, '42'),
  });
}

export function describeModel(o: SimulationOptions): string {
  const normal = o.agents / (o.flushIntervalMs / 1000);
  const trouble =
    o.scenario === 'incident'
      ? `incident for ${shortDuration(o.durationMs)}: capacity ${Math.round(o.capacityFactor * 100)}%, ${Math.round(o.failRate * 100)}% of requests fail` +
        (o.acceptThenTimeout > 0 ? `, ${Math.round(o.acceptThenTimeout * 100)}% of imports answered too late` : '')
      : `outage for ${shortDuration(o.durationMs)}: connection refused`;
  return [
    `${o.agents} agents, one chunk each per ${shortDuration(o.flushIntervalMs)}: ${fmt(normal)} req/s, ${Math.round((normal / o.capacityRps) * 100)}% of the endpoint's capacity of ${fmt(o.capacityRps)} req/s`,
    `${trouble}; then full capacity until the backlog drains (at most ${shortDuration(o.maxDrainMs)})`,
    `endpoint: queue of ${shortDuration(o.queueLimitS * 1000)} of work (then HTTP ${o.overloadStatus}${o.overloadRetryAfterS === null ? '' : ` Retry-After: ${o.overloadRetryAfterS}`}), load balancer timeout ${shortDuration(o.lbTimeoutMs)}, dedup window ${shortDuration(o.dedupWindowMs)}; seed ${o.seed}`,
  ].join('\n');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a fleet of agents through an outage on virtual time, running the real delivery code, and compare retry policies')
    .option('--agents <n>', 'agents in the fleet', '1000')
    .option('--scenario <name>', `what happens to the endpoint: ${SCENARIOS.join(' | ')}`, 'incident')
    .option('--policy <list>', 'policies to compare, comma-separated: tdfwd, periodic, fluentd', 'tdfwd,periodic,fluentd')
    .option('--json', 'print one JSON object per policy, in an array')
    .option('--out <file.svg>', 'write a chart of requests/s over time per policy')
    .option('--capacity <rps>', "the endpoint's capacity in requests/s (default: twice the fleet's normal load)")
    .option('--incident-duration <dur>', 'how long the incident or outage lasts (default: 6h incident, 1h outage)')
    .option('--incident-capacity <r>', 'fraction of capacity left during the incident', '0.2')
    .option('--fail-rate <r>', 'fraction of requests failing (HTTP 500) during the incident', '0.8')
    .option('--accept-then-timeout <r>', 'fraction of imports answered only after the load balancer timeout during the incident', '0')
    .option('--dedup-window <dur>', "the endpoint's de-duplication window for a unique_id", '20m')
    .option('--lb-timeout <dur>', 'load balancer timeout: slower answers are cut (504) after the import', '60s')
    .option('--flush-interval <dur>', 'each agent seals one chunk per interval', '30s')
    .option('--queue-limit <dur>', "the endpoint's queue, in work at full capacity; beyond it requests are turned away", '30s')
    .option('--overload-status <code>', 'the answer when the queue is full: 503 or 429', '503')
    .option('--retry-after <dur>', 'send Retry-After with the overload answer')
    .option('--periodic-interval <dur>', "the periodic policy's fixed per-chunk retry interval", '60s')
    .option('--max-drain <dur>', 'stop waiting for the backlog to drain this long after recovery', '24h')
    .option('--resolution <dur>', 'virtual clock resolution', '100ms')
    .option('--seed <n>', 'seed of the pseudo-random generator (same seed, same results)', '1')
    .option('--jobs <n>', 'policies simulated at once, each in a worker thread (default: the number of CPUs)')
    .action(
      action(async (flags: SimulateFlags) => {
        const options = resolveSimulateFlags(flags);
        const progress = process.stderr.isTTY && !flags.json;
        if (!flags.json) process.stdout.write(`${describeModel(options)}\n\n`);
        const jobs = flags.jobs === undefined ? availableParallelism() : integer('--jobs', flags.jobs, 1, 64, '2');
        const result = await simulate(options, {
          jobs,
          onWorkerLost: (policy, reason) => process.stderr.write(`tdfwd simulate: the ${policy} worker thread ended without its result: ${reason}; simulating ${policy} in the main thread\n`),
          onRun: (r) => {
            if (progress) process.stderr.write(`  ${r.policy}: simulated ${shortDuration(r.simulated_seconds * 1000)} in ${r.wall_seconds.toFixed(1)}s\n`);
          },
        });
        if (flags.out !== undefined) {
          try {
            writeFileSync(flags.out, chartOf(result));
          } catch (err) {
            throw new UsageError(`--out: cannot write "${flags.out}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a writable file path.`);
          }
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(result.reports, null, 2)}\n`);
        else {
          process.stdout.write(renderTable(result.reports));
          if (flags.out !== undefined) process.stdout.write(`\nchart: ${flags.out}\n`);
        }
        return 0;
      }),
    );
}
