// The status document of PRODUCT.md ("Observability"), built from buffer stats and output states. Used
// by `tdfwd status --json` (from the buffer) and the daemon's /api/status (with live worker state).
import type { BufferStats } from '../buffer/store.js';
import type { OutputConfig } from '../config/types.js';

export interface OutputStateView {
  name: string;
  state: string;
  concurrency: number;
  next_attempt_at: string | null;
  inflight?: number;
  consecutive_failures?: number;
}

export interface StatusJson {
  buffer: string;
  chunks: { open: number; sealing: number; queued: number; inflight: number; parked: number };
  pending_records: number;
  pending_bytes: number;
  parked_records: number;
  stored_bytes: number;
  oldest_pending_age_s: number | null;
  dropped_records: number;
  outputs: (OutputStateView & { type: string; match: string })[];
}

export function statusJson(
  dir: string,
  s: BufferStats | null,
  counters: Record<string, number>,
  outputs: readonly OutputConfig[],
  states: ReadonlyMap<string, OutputStateView>,
  nowMs: number = Date.now(),
): StatusJson {
  const c = s?.chunks ?? { open: 0, sealing: 0, queued: 0, inflight: 0, parked: 0 };
  return {
    buffer: dir,
    chunks: { open: c.open, sealing: c.sealing, queued: c.queued, inflight: c.inflight, parked: c.parked },
    pending_records: s?.pendingRecords ?? 0,
    pending_bytes: s?.pendingBytes ?? 0,
    parked_records: s?.parkedRecords ?? 0,
    stored_bytes: s?.storedBytes ?? 0,
    oldest_pending_age_s: s?.oldestPendingCreatedAt != null ? Math.max(0, (nowMs - s.oldestPendingCreatedAt) / 1000) : null,
    dropped_records: counters.dropped_records ?? 0,
    outputs: outputs.map((o) => {
      const st = states.get(o.name);
      return {
        name: o.name,
        type: o.type,
        match: o.match,
        state: st?.state ?? 'healthy',
        concurrency: st?.concurrency ?? (o.concurrency.adaptive ? 1 : o.concurrency.max),
        next_attempt_at: st?.next_attempt_at ?? null,
        ...(st?.inflight !== undefined ? { inflight: st.inflight } : {}),
        ...(st?.consecutive_failures !== undefined ? { consecutive_failures: st.consecutive_failures } : {}),
      };
    }),
  };
}
