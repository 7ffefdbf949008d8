// The numbers a run is judged by, as a JSON-ready object per policy, and the readable table.
import type { PolicyRun } from './run.js';

export interface PolicyReport {
  policy: string;
  /** Highest request rate (averaged over one histogram bin, 10 s) after recovery ÷ full capacity. */
  peak_rps_over_capacity: number;
  peak_rps: number;
  capacity_rps: number;
  total_requests: number;
  /** Records imported more than once: every extra copy of a chunk's records the endpoint imported. */
  duplicate_imports: number;
  duplicated_chunks: number;
  max_imports_per_chunk: number;
  /** Recovery until every chunk sealed before recovery was delivered; null if not within the run. */
  drain_seconds: number | null;
  /** Worst seal → acknowledged import among delivered chunks. */
  max_delivery_delay_s: number;
  chunks_sealed: number;
  chunks_undelivered: number;
  chunks_parked: number;
  requests_rejected: number;
  requests_refused: number;
  responses_cut_by_lb: number;
  simulated_seconds: number;
  wall_seconds: number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function summarize(run: PolicyRun): PolicyReport {
  const { endpoint, timeline, stats } = run;
  const capacity = endpoint.o.capacityRps;
  const binS = endpoint.o.binMs / 1000;
  const firstBin = Math.ceil((timeline.recoveryAt - timeline.startAt) / endpoint.o.binMs);
  const lastBin = Math.floor((run.endedAt - timeline.startAt) / endpoint.o.binMs);
  let peak = 0;
  for (let i = firstBin; i < lastBin && i < endpoint.bins.length; i++) peak = Math.max(peak, (endpoint.bins[i] as number) / binS);
  const l = endpoint.ledger;
  const c = endpoint.counters;
  return {
    policy: run.policy,
    peak_rps_over_capacity: round(peak / capacity),
    peak_rps: round(peak, 1),
    capacity_rps: capacity,
    total_requests: c.requests,
    duplicate_imports: l.duplicateRecords,
    duplicated_chunks: l.duplicatedChunks,
    max_imports_per_chunk: l.maxImportsPerChunk,
    drain_seconds: stats.drainedAt === null ? null : round((stats.drainedAt - timeline.recoveryAt) / 1000, 1),
    max_delivery_delay_s: round(stats.maxDelayMs / 1000, 1),
    chunks_sealed: stats.sealed,
    chunks_undelivered: stats.undelivered,
    chunks_parked: stats.parked,
    requests_rejected: c.rejected,
    requests_refused: c.refused,
    responses_cut_by_lb: c.cut,
    simulated_seconds: round((run.endedAt - timeline.startAt) / 1000, 1),
    wall_seconds: round(run.wallMs / 1000, 2),
  };
}

function duration(s: number | null): string {
  if (s === null) return 'not drained';
  if (s < 120) return `${s.toFixed(0)}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const COLUMNS: [string, (r: PolicyReport) => string][] = [
  ['policy', (r) => r.policy],
  ['peak/capacity', (r) => `${r.peak_rps_over_capacity.toFixed(2)}x`],
  ['requests', (r) => r.total_requests.toLocaleString('en-US')],
  ['dup records', (r) => r.duplicate_imports.toLocaleString('en-US')],
  ['dup chunks', (r) => r.duplicated_chunks.toLocaleString('en-US')],
  ['max imports', (r) => String(r.max_imports_per_chunk)],
  ['drain', (r) => duration(r.drain_seconds)],
  ['max delay', (r) => duration(r.max_delivery_delay_s)],
  ['undelivered', (r) => r.chunks_undelivered.toLocaleString('en-US')],
  ['wall', (r) => `${r.wall_seconds.toFixed(1)}s`],
];

export function renderTable(reports: readonly PolicyReport[]): string {
  const rows = [COLUMNS.map(([h]) => h), ...reports.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ')).join('\n') + '\n';
}
