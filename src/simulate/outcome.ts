// What a policy run leaves behind once its fleet is gone: the report and the request-rate histogram.
import { summarize, type PolicyReport } from './report.js';
import type { PolicyRun } from './run.js';

export interface PolicyOutcome {
  report: PolicyReport;
  /** Requests per histogram bin over the run. */
  bins: Float64Array;
}

export function outcomeOf(run: PolicyRun): PolicyOutcome {
  const len = Math.ceil((run.endedAt - run.timeline.startAt) / run.endpoint.o.binMs);
  return { report: summarize(run), bins: run.endpoint.bins.slice(0, len) };
}

/** What a policy worker posts back (policy-worker.ts): its outcome, or why it has none. */
export type WorkerReply = { ok: true; outcome: PolicyOutcome } | { ok: false; error: string };
