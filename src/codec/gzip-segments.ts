// Sealed payloads assembled from deflate segments. A part of a chunk can be compressed as soon as it is
// encoded (by the encoder, ingest/encoder.ts) as a raw deflate stream ended with a sync flush and no
// final block: such segments concatenate into one valid deflate stream. Sealing then only wraps them in one gzip
// member (header, segments, an empty final block, CRC-32 and length), instead of compressing the whole
// chunk again: the buffer stores (and SQLite writes) compressed bytes from the first commit on.
//
// The payload is a single-member gzip file, readable by any gunzip.
//
// Segments are compressed by reused deflate streams (a FreeList of them, reset between segments so each
// stands alone): a fresh stream per segment allocated and freed ~270 KB of zlib state every time.
import { constants, crc32, createDeflateRaw, inflateRawSync, type DeflateRaw } from 'node:zlib';
import { FreeList } from '../core/free-list.js';
import type { DeflatedInfo, StoredPart } from '../core/sink.js';
import { crc32Combine } from './crc32-combine.js';

/** gzip level for sealed payloads: level 3 keeps most of level 6's ratio on logs at twice the speed. */
export const GZIP_LEVEL = 3;

/** The gzip header: deflate, no name or time, OS unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty final block with fixed codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Output buffer of a segment stream: a 1 MiB part compresses to ~150–250 KB, in a few of these. */
const SEGMENT_CHUNK_BYTES = 64 * 1024;
/** Streams kept free: about libuv's four threads, which run the compressions. */
const segmentStreams = new FreeList<DeflateRaw>({ maxFree: 4, idleMs: 2000, drop: (z) => z.close() });

/** Compresses records into a segment, on the zlib thread pool (the CRC-32 is taken here). */
export async function deflateSegment(raw: Uint8Array): Promise<{ data: Buffer; deflated: DeflatedInfo }> {
  const deflated = { rawBytes: raw.length, crc: crc32(raw) };
  const z = segmentStreams.take() ?? createDeflateRaw({ level: GZIP_LEVEL, chunkSize: SEGMENT_CHUNK_BYTES });
  let data: Buffer;
  try {
    data = await segmentOf(z, raw);
  } catch (err) {
    z.destroy();
    throw err;
  }
  z.reset(); // the next segment must not refer back into this one
  segmentStreams.give(z);
  return { data, deflated };
}

/** One segment from a free stream: `raw`, then a sync flush (a byte-aligned end, no final block). */
function segmentOf(z: DeflateRaw, raw: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      bytes += chunk.length;
    };
    const onError = (err: Error): void => {
      z.off('data', onData);
      reject(err);
    };
    z.on('data', onData);
    z.once('error', onError);
    z.write(raw);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      // zlib pushed all of the flush's output before this callback; any of it still buffered is read now.
      while (z.read() !== null);
      z.off('data', onData);
      z.off('error', onError);
      // A copy of exact size: the chunks are views of the stream's 64 KB output buffers.
      resolve(Buffer.concat(chunks, bytes));
    });
  });
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
    const { data, deflated: info } = part.deflated ? { data: part.data, deflated: part.deflated } : await deflateSegment(part.data);
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
