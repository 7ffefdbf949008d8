// The status document of PRODUCT.md ("Observability"), built from buffer stats and output states. Used
// by `tdfwd status --json` (from the buffer) and the daemon's /api/status (with live worker state).
//
// An output's `state` is what is known of it, never a guess: `unknown` until some process made an
// attempt to it; the recorded state (healthy, backoff, probing, paused) with `recorded_at`, the time it
// was recorded; and `idle` when the recorded state was waiting for an attempt that is due, or probing,
// but no process is delivering now (nothing will try until the next flush or daemon).
import type { BufferStats } from '../buffer/store.js';
import type { OutputConfig } from '../config/types.js';

export interface OutputStateView {
  name: string;
  state: string;
  concurrency: number;
  next_attempt_at: string | null;
  inflight?: number;
  consecutive_failures?: number;
  /** When this state was recorded (ISO); absent for live state, which is as of now. */
  recorded_at?: string;
  /** False for live state of an output no attempt has reached yet. */
  contacted?: boolean;
}

export interface StatusOptions {
  nowMs?: number;
  /** Some process is delivering from this buffer now (the state given is live, or being kept up to date). */
  delivering?: boolean;
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
  outputs: OutputStatusJson[];
}

export interface OutputStatusJson {
  name: string;
  type: string;
  match: string;
  /** healthy | backoff | probing | paused (as recorded), unknown (never contacted) or idle (see the header). */
  state: string;
  concurrency: number;
  next_attempt_at: string | null;
  /** When the state was recorded; null when unknown. */
  recorded_at: string | null;
  /** The recorded state an idle output was left in. */
  last_state?: string;
  inflight?: number;
  consecutive_failures?: number;
  /** Fan-out copies waiting for this output (routing: copy), by state; absent when it has none. */
  copies?: { queued: number; inflight: number; parked: number };
}

export function statusJson(
  dir: string,
  s: BufferStats | null,
  counters: Record<string, number>,
  outputs: readonly OutputConfig[],
  states: ReadonlyMap<string, OutputStateView>,
  opts: StatusOptions = {},
): StatusJson {
  const nowMs = opts.nowMs ?? Date.now();
  const delivering = opts.delivering ?? true;
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
      const state = knownState(st, delivering, nowMs);
      return {
        name: o.name,
        type: o.type,
        match: o.match,
        state,
        concurrency: st?.concurrency ?? (o.concurrency.adaptive ? 1 : o.concurrency.max),
        next_attempt_at: state === 'idle' ? null : (st?.next_attempt_at ?? null),
        recorded_at: st === undefined || st.contacted === false ? null : (st.recorded_at ?? new Date(nowMs).toISOString()),
        ...(state === 'idle' && st ? { last_state: st.state } : {}),
        ...(st?.inflight !== undefined ? { inflight: st.inflight } : {}),
        ...(st?.consecutive_failures !== undefined ? { consecutive_failures: st.consecutive_failures } : {}),
        ...(s?.copies?.[o.name] ? { copies: s.copies[o.name] } : {}),
      };
    }),
  };
}

function knownState(st: OutputStateView | undefined, delivering: boolean, nowMs: number): string {
  if (st === undefined || st.contacted === false) return 'unknown';
  if (delivering) return st.state;
  const due = st.next_attempt_at === null || Date.parse(st.next_attempt_at) <= nowMs;
  if (st.state === 'probing' || ((st.state === 'backoff' || st.state === 'paused') && due)) return 'idle';
  return st.state;
}
