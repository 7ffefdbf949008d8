// What every handler needs of one endpoint instance, and the steps import and ingest share: the
// fault gate with its answers, latency, the dedup commit, storing and the final answer or hold.
import { setTimeout as sleep } from 'node:timers/promises';
import { discardBody } from './body.js';
import type { TableCatalog } from './catalog.js';
import { apiError, type Exchange } from './exchange.js';
import type { FaultGate } from './faults.js';
import type { DedupLedger } from './ledger.js';
import type { EndpointCounters } from './stats.js';
import type { StoreLines, StoreWriter } from './store.js';

export interface EndpointContext {
  readonly apikey: string | null;
  readonly maxBodyBytes: number;
  readonly maxRawBytes: number;
  readonly holdCapMs: number;
  readonly gate: FaultGate;
  readonly ledger: DedupLedger;
  readonly catalog: TableCatalog;
  readonly counters: EndpointCounters;
  readonly store: StoreWriter | null;
}

const FAULT_TEXT: Record<string, string> = {
  capacity: 'The endpoint is over capacity; retry after the Retry-After delay.',
  forced: 'Fault injected by the local endpoint (forceStatus).',
  failed: 'Internal server error injected by the local endpoint (fail rate).',
};

/** Applies the pre-import faults; true if the request was answered (or dropped) by one. */
export function injectFault(ctx: EndpointContext, x: Exchange): boolean {
  const verdict = ctx.gate.before();
  if (verdict === null) {
    x.delayed = true;
    return false;
  }
  if (verdict.kind === 'down') {
    ctx.counters.fault('down');
    x.drop();
    return true;
  }
  ctx.counters.fault(verdict.fault);
  discardBody(x.req, ctx.maxBodyBytes);
  x.json(verdict.status, apiError(`HTTP ${verdict.status}`, FAULT_TEXT[verdict.fault] ?? ''), verdict.headers);
  return true;
}

/** Answers after the configured latency (only for requests past the fault gates). */
export async function answer(ctx: EndpointContext, x: Exchange, status: number, body: unknown, headers?: Record<string, string>): Promise<void> {
  if (status >= 400) discardBody(x.req, ctx.maxBodyBytes);
  const wait = x.delayed ? ctx.gate.faults.latencyMs : 0;
  if (wait > 0) await sleep(wait);
  if (x.req.socket.destroyed) return x.aborted();
  x.json(status, body, headers);
}

export interface Batch {
  key: string | null;
  database: string;
  table: string;
  count: number;
  bytes: number;
  /** The store-file lines of these records, when a store file is configured. */
  lines: StoreLines | null;
}

/**
 * The commit step: decide import-or-dedup synchronously, count, store, then answer 200 — or hold
 * the socket (accept-then-timeout) or reset it (accept-then-reset) when a fault picks this request.
 */
export async function importBatch(ctx: EndpointContext, x: Exchange, batch: Batch, okBody: unknown): Promise<void> {
  const verdict = batch.key === null ? 'first' : ctx.ledger.commit(batch.key);
  if (verdict === 'dedup') {
    ctx.counters.dedupHits++;
  } else {
    ctx.counters.imported(`${batch.database}.${batch.table}`, batch.count, batch.bytes, verdict === 'duplicate');
    if (ctx.store && batch.lines) await ctx.store.write(batch.lines);
    const fault = ctx.gate.afterImport();
    if (fault === 'hold') return x.hold(ctx.holdCapMs);
    if (fault === 'reset') return x.reset();
  }
  await answer(ctx, x, 200, okBody);
}
