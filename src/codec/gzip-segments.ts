// Sealed payloads assembled from deflate segments. A part of a chunk can be compressed as soon as it is
// encoded (by the encoder, ingest/encoder.ts) as a raw deflate stream ended with a sync flush and no
// final block: such segments concatenate into one valid deflate stream. Sealing then only wraps them in one gzip
// member (header, segments, an empty final block, CRC-32 and length), instead of compressing the whole
// chunk again: the buffer stores (and SQLite writes) compressed bytes from the first commit on.
//
// The payload is a single-member gzip file, readable by any gunzip.
import { constants, crc32, deflateRaw, inflateRawSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { DeflatedInfo, StoredPart } from '../core/sink.js';
import { crc32Combine } from './crc32-combine.js';

/** gzip level for sealed payloads: level 3 keeps most of level 6's ratio on logs at twice the speed. */
export const GZIP_LEVEL = 3;

const SEGMENT = { level: GZIP_LEVEL, finishFlush: constants.Z_SYNC_FLUSH } as const;
const deflateRawAsync = promisify(deflateRaw);
/** The gzip header: deflate, no name or time, OS unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty final block with fixed codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Compresses records into a segment, on the zlib thread pool (the CRC-32 is taken here). */
export async function deflateSegment(raw: Uint8Array): Promise<{ data: Buffer; deflated: DeflatedInfo }> {
  const deflated = { rawBytes: raw.length, crc: crc32(raw) };
  return { data: await deflateRawAsync(raw, SEGMENT), deflated };
}

/** The records of one stored part (a segment is inflated). */
export function partRecords(part: StoredPart): Buffer {
  return part.deflated ? inflateRawSync(part.data, { finishFlush: constants.Z_SYNC_FLUSH }) : part.data;
}

/**
 * The gzip payload of the parts `next` yields until null, in order. Raw parts are compressed into
 * segments on the zlib thread pool, one at a time (one raw part in memory); segments are used as stored.
 */
export async function gzipStoredParts(next: () => StoredPart | null): Promise<Buffer> {
  const out: Buffer[] = [HEADER];
  let crc = 0;
  let size = 0;
  for (let part = next(); part !== null; part = next()) {
    let info = part.deflated;
    let data = part.data;
    if (!info) {
      info = { rawBytes: data.length, crc: crc32(data) };
      data = await deflateRawAsync(data, SEGMENT);
    }
    out.push(data);
    crc = crc32Combine(crc, info.crc, info.rawBytes);
    size += info.rawBytes;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  out.push(FINAL_BLOCK, trailer);
  return Buffer.concat(out);
}
