// What delivery needs of the buffer. ChunkStore implements it on SQLite; `simulate` implements it in
// memory, so the same scheduler runs in both.
import type { SealedChunk } from '../core/chunk.js';

export interface SplitHalf {
  key: string;
  records: number;
  rawBytes: number;
  payload: Buffer;
}

export interface DeliveryQueue {
  queuedTags(): string[];
  reclaimLeases(): number;
  lease(limit: number, tags: readonly string[], leaseMs: number): SealedChunk[];
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
}
