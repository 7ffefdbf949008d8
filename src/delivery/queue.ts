// What delivery needs of the buffer. ChunkStore implements it on SQLite; `simulate` implements it in
// memory, so the same scheduler runs in both (test/integration/delivery-queue-contract.test.ts holds
// both to the same contract).
import type { SealedChunk } from '../core/chunk.js';

export interface SplitHalf {
  key: string;
  records: number;
  rawBytes: number;
  payload: Buffer;
}

/** The fan-out copies one output leases: those of these tags. */
export interface CopiesOf {
  output: string;
  tags: readonly string[];
}

export interface DeliveryQueue {
  /** Tags that have queued chunks routed by tag (not fan-out copies). */
  queuedTags(): string[];
  reclaimLeases(): number;
  /**
   * Lease up to `limit` queued chunks of `tags` (routed by tag) and, with `copies`, the fan-out copies
   * of its tags given to its output; in-doubt chunks first, then the oldest. Each lease counts an attempt.
   */
  lease(limit: number, tags: readonly string[], leaseMs: number, copies?: CopiesOf): SealedChunk[];
  ack(id: number): boolean;
  release(id: number, error: string | null, inDoubt: boolean): boolean;
  /**
   * Back to `queued` after an attempt this process interrupted (Ctrl-C, stop): it says nothing about
   * the endpoint, so no last error and no failure; but the request was on its way and may have been
   * imported, so the chunk is in doubt (its first in-doubt time kept if it had one). Queues of processes
   * that never interrupt an attempt (the simulation) may leave it out.
   */
  unlease?(id: number): boolean;
  park(id: number, reason: string): boolean;
  split(parent: SealedChunk, halves: readonly SplitHalf[]): number[];
  /**
   * Fan-out (`routing: copy`): every queued chunk of `tag` routed by tag becomes one copy per output
   * of `outputs` (in routing order), each with its own key, state and retries. Queues with one output
   * (the simulation) leave it out, and so the two next.
   */
  fanOut?(tag: string, outputs: readonly string[]): number;
  /** The queued fan-out copies, by output and tag. */
  queuedCopies?(): { output: string; tag: string }[];
}
