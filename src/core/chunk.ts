// Chunk identity and states. A chunk's key is its idempotency key: chosen once, when the chunk is
// created, stored with it and sent on every attempt. A split chunk's halves derive their keys from the
// parent's, so a split that is repeated after a crash produces the same keys again.
import { createHash, randomBytes } from 'node:crypto';

/**
 * open     - accepting records (one per tag)
 * sealing  - closed to appends, payload being compressed (a crash here is recovered at open)
 * queued   - sealed, payload fixed, waiting for delivery
 * inflight - leased by one process that is sending it
 * parked   - rejected or out of retries; kept with its reason until `tdfwd chunks retry|drop`
 * (delivered chunks are deleted)
 */
export type ChunkState = 'open' | 'sealing' | 'queued' | 'inflight' | 'parked';
export const CHUNK_STATES: readonly ChunkState[] = ['open', 'sealing', 'queued', 'inflight', 'parked'];

export function newChunkKey(): string {
  return randomBytes(16).toString('hex');
}

/** The key of half `index` (0 or 1) of a split chunk: deterministic, 32 lowercase hex. */
export function childChunkKey(parentKey: string, index: 0 | 1): string {
  return createHash('sha256').update(`${parentKey}/split/${index}`).digest('hex').slice(0, 32);
}

export function isChunkKey(s: string): boolean {
  return /^[0-9a-f]{32}$/.test(s);
}

/** Chunks waiting for delivery (queued or in flight) of one tag, and of one output's copies (null: routed by tag). */
export interface PendingRoute {
  tag: string;
  output: string | null;
  chunks: number;
  records: number;
}

/** What delivery needs of a sealed chunk. */
export interface SealedChunk {
  id: number;
  key: string;
  tag: string;
  records: number;
  /** Bytes of the uncompressed record stream. */
  rawBytes: number;
  /** The sealed payload: gzip of concatenated msgpack maps. Identical on every attempt. */
  payload: Buffer;
  createdAt: number;
  attempts: number;
  firstAttemptAt: number | null;
  inDoubtSince: number | null;
}
