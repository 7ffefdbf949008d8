// A sealed chunk → one forward frame: `[tag, entries, {size, chunk, compressed}]`, where entries are
// the chunk's records re-framed as `[time, record]` (PackedForward), gzipped for
// CompressedPackedForward. Pure functions over bytes.
//
// Each record's msgpack bytes are copied verbatim, `time` included: the event time is its integer
// `time` (every record in the buffer has one), so a tdfwd forward input on the other side sets `time`
// back to the same value and adds no `_time`, and fluentd's out_tdlog writes the same `time` it
// would have. A record without a numeric `time` (none are written so) gets the chunk's creation time.
import { valueEnd } from '../../codec/forward-scan.js';
import { gunzipPayload, gzipPayload, packOne } from '../../codec/msgpack.js';
import type { SealedChunk } from '../../core/chunk.js';
import { mapCount, mapHeaderBytes } from '../../codec/msgpack-map.js';

export interface PackedEntries {
  bytes: Buffer;
  count: number;
}

/** Concatenated msgpack records → concatenated `[time, record]` entries. Throws on bytes that are not msgpack. */
export function packEntries(raw: Buffer, fallbackTime: number, expectedRecords = 0): PackedEntries {
  let out = Buffer.allocUnsafe(raw.length + 10 * Math.max(1, expectedRecords) + 16);
  let len = 0;
  let count = 0;
  let pos = 0;
  while (pos < raw.length) {
    const end = valueEnd(raw, pos);
    if (end < 0) throw new Error(`the records end in the middle of a value (at byte ${pos} of ${raw.length})`);
    const time = recordTime(raw, pos, end) ?? fallbackTime;
    const need = len + 10 + (end - pos);
    if (need > out.length) {
      const next = Buffer.allocUnsafe(Math.max(need, out.length * 2));
      out.copy(next, 0, 0, len);
      out = next;
    }
    out[len++] = 0x92; // fixarray of 2: [time, record]
    len = writeTime(out, len, time);
    len += raw.copy(out, len, pos, end);
    count++;
    pos = end;
  }
  return { bytes: out.subarray(0, len), count };
}

/** The integer value of the top-level `time` key of the map at [pos, end), or null. */
export function recordTime(buf: Buffer, pos: number, end: number): number | null {
  const n = mapCount(buf, pos);
  if (n < 0) return null;
  let p = pos + mapHeaderBytes(buf[pos] as number);
  for (let i = 0; i < n && p < end; i++) {
    const keyEnd = valueEnd(buf, p);
    if (keyEnd < 0 || keyEnd > end) return null;
    if (isTimeKey(buf, p, keyEnd)) return intAt(buf, keyEnd, end);
    const valEnd = valueEnd(buf, keyEnd);
    if (valEnd < 0 || valEnd > end) return null;
    p = valEnd;
  }
  return null;
}

// "time" as fixstr or str8.
function isTimeKey(buf: Buffer, p: number, keyEnd: number): boolean {
  const start = buf[p] === 0xa4 ? p + 1 : buf[p] === 0xd9 && buf[p + 1] === 4 ? p + 2 : -1;
  return start > 0 && keyEnd - start === 4 && buf[start] === 0x74 && buf[start + 1] === 0x69 && buf[start + 2] === 0x6d && buf[start + 3] === 0x65;
}

function intAt(buf: Buffer, p: number, end: number): number | null {
  if (p >= end) return null;
  const b = buf[p] as number;
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  const avail = end - p;
  switch (b) {
    case 0xcc: return avail >= 2 ? (buf[p + 1] as number) : null;
    case 0xcd: return avail >= 3 ? buf.readUInt16BE(p + 1) : null;
    case 0xce: return avail >= 5 ? buf.readUInt32BE(p + 1) : null;
    case 0xcf: return avail >= 9 ? Number(buf.readBigUInt64BE(p + 1)) : null;
    case 0xd0: return avail >= 2 ? buf.readInt8(p + 1) : null;
    case 0xd1: return avail >= 3 ? buf.readInt16BE(p + 1) : null;
    case 0xd2: return avail >= 5 ? buf.readInt32BE(p + 1) : null;
    case 0xd3: return avail >= 9 ? Number(buf.readBigInt64BE(p + 1)) : null;
    case 0xca: return avail >= 5 ? Math.floor(buf.readFloatBE(p + 1)) : null;
    case 0xcb: return avail >= 9 ? Math.floor(buf.readDoubleBE(p + 1)) : null;
    default: return null;
  }
}

/** An integer event time: uint32 when it fits (every real unix time), else int64. */
function writeTime(out: Buffer, at: number, t: number): number {
  if (Number.isSafeInteger(t) && t >= 0 && t <= 0xffffffff) {
    out[at] = 0xce;
    out.writeUInt32BE(t, at + 1);
    return at + 5;
  }
  out[at] = 0xd3;
  out.writeBigInt64BE(BigInt(Math.trunc(Number.isFinite(t) ? t : 0)), at + 1);
  return at + 9;
}

export interface ForwardFrame {
  /** The frame's bytes, in pieces written one after another (the entries are not copied again). */
  pieces: Buffer[];
  bytes: number;
  records: number;
}

/** msgpack bin header for `n` bytes. */
function binHeader(n: number): Buffer {
  if (n < 0x100) return Buffer.from([0xc4, n]);
  if (n < 0x10000) {
    const b = Buffer.allocUnsafe(3);
    b[0] = 0xc5;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xc6;
  b.writeUInt32BE(n, 1);
  return b;
}

/**
 * The chunk as a PackedForward (`compress: none`) or CompressedPackedForward frame. `chunkId` (the
 * chunk key, when acks are required) goes in the `chunk` option, and comes back as `{ack: chunkId}`.
 */
export async function buildFrame(chunk: SealedChunk, compress: 'gzip' | 'none', chunkId: string | null): Promise<ForwardFrame> {
  const raw = await gunzipPayload(chunk.payload);
  const entries = packEntries(raw, Math.floor(chunk.createdAt / 1000), chunk.records);
  const body = compress === 'gzip' ? await gzipPayload(entries.bytes) : entries.bytes;
  const option: Record<string, unknown> = { size: entries.count };
  if (chunkId !== null) option['chunk'] = chunkId;
  if (compress === 'gzip') option['compressed'] = 'gzip';
  const head = Buffer.concat([Buffer.from([0x93]), packOne(chunk.tag), binHeader(body.length)]);
  const tail = packOne(option);
  return { pieces: [head, body, tail], bytes: head.length + body.length + tail.length, records: entries.count };
}
