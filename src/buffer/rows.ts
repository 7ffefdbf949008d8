// Rows of the chunk store as the rest of tdfwd sees them: a sealed chunk for delivery, a stored part
// for sealing and `tdfwd chunks export`.
import type { SealedChunk } from '../core/chunk.js';
import type { StoredPart } from '../core/sink.js';
import type { ChunkRow, PartRow } from './statements.js';

export function toSealed(row: ChunkRow, payload: Buffer): SealedChunk {
  return {
    id: row.id,
    key: row.key,
    tag: row.tag,
    records: row.records,
    rawBytes: row.raw_bytes,
    payload,
    createdAt: row.created_at,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    inDoubtSince: row.in_doubt_since,
  };
}

export function storedPart(row: PartRow): StoredPart {
  return row.raw_len === null ? { data: row.data } : { data: row.data, deflated: { rawBytes: row.raw_len, crc: (row.crc ?? 0) >>> 0 } };
}
