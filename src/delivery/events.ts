// Typed delivery events: one observer logs them and counts them (metrics, flush progress), so the
// scheduler itself neither logs nor counts.
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';

export type OutputState = 'healthy' | 'backoff' | 'probing' | 'paused';

export type DuplicateRiskCause = 'window' | 'split';

/** What delivery did with a chunk after an attempt. */
export type ChunkAction = 'acked' | 'released' | 'parked' | 'split' | 'lease_lost';

export interface DeliveryObserver {
  attempt?(output: string, chunk: SealedChunk, inflight: number): void;
  outcome?(output: string, chunk: SealedChunk, outcome: Outcome, action: ChunkAction, detail?: string): void;
  stateChange?(output: string, from: OutputState, to: OutputState, reason: string, resumeAt: number | null): void;
  /**
   * A chunk that may be imported twice: re-sent after the endpoint's dedup window (`window`), or, in
   * doubt, split after a 413 (`split`: its halves carry new keys the endpoint cannot match).
   */
  duplicateRisk?(output: string, chunk: SealedChunk, inDoubtForMs: number, cause: DuplicateRiskCause): void;
  concurrency?(output: string, limit: number): void;
  /**
   * The buffer could not record what delivery did (e.g. its disk is full): reported once per streak of
   * failures. Leasing waits and retries; a finished attempt's result is recorded again until it sticks.
   */
  bufferError?(output: string, message: string): void;
}

/** Fan one event stream out to several observers. */
export function combineObservers(...observers: (DeliveryObserver | undefined)[]): DeliveryObserver {
  const list = observers.filter((o): o is DeliveryObserver => o !== undefined);
  return {
    attempt: (...a) => list.forEach((o) => o.attempt?.(...a)),
    outcome: (...a) => list.forEach((o) => o.outcome?.(...a)),
    stateChange: (...a) => list.forEach((o) => o.stateChange?.(...a)),
    duplicateRisk: (...a) => list.forEach((o) => o.duplicateRisk?.(...a)),
    concurrency: (...a) => list.forEach((o) => o.concurrency?.(...a)),
    bufferError: (...a) => list.forEach((o) => o.bufferError?.(...a)),
  };
}
