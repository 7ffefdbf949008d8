// The encoding half of the daemon's tail and forward inputs, on a worker thread: turns a block of
// complete lines (or PackedForward entries) into records, packs them into parts within the buffer's
// part limits and compresses each part into a deflate segment (codec/gzip-segments.ts), so the main
// thread only reads, commits compressed bytes and delivers.
//
// Owns one growing part buffer (reused for every part: only the compressed copy leaves the thread)
// and the parsers it has built. The block comes back with the reply, so the main thread can read into
// its memory again.
import { parentPort, workerData } from 'node:worker_threads';
import { deflateSegment } from '../codec/gzip-segments.js';
import { maxTranscodedBytes, transcodeJsonLine, transcodeNoneLine } from '../codec/json-transcode.js';
import { decodeOne, packOne } from '../codec/msgpack.js';
import { copyRecordWithTime, ENTRY_COPY_OVERHEAD } from '../inputs/forward/entry-copy.js';
import { eventRecord } from '../inputs/forward/frame.js';
import { Cursor, MalformedFrameError } from '../inputs/forward/scan.js';
import { createParser, type LineParser } from '../parsers/index.js';
import { utf8Cut } from '../parsers/line-splitter.js';
import type { EncodedPartMessage, EncodeReply, EncodeRequest, EncodeWorkerData, EntriesRequest, WorkerRequest } from './encode-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('encode-worker must run as a worker thread');
const cfg = workerData as EncodeWorkerData;

const NL = 10;
const CR = 13;

const parsers = new Map<string, LineParser>();

function parserFor(format: string, timeKey: string | undefined): LineParser {
  const key = `${format}\u0000${timeKey ?? ''}`;
  let p = parsers.get(key);
  if (!p) {
    p = createParser(format, timeKey !== undefined ? { timeKey } : {});
    parsers.set(key, p);
  }
  return p;
}

/** The part being filled: encoded records, one after another; cut into compressed parts. */
class PartBuilder {
  buf = new Uint8Array(cfg.partBytes + 64 * 1024);
  bytes = 0;
  count = 0;
  tag = '';
  parts: EncodedPartMessage[] = [];

  /** Starts a job's parts (the memory is kept from job to job). */
  begin(tag: string): this {
    this.tag = tag;
    this.parts = [];
    this.bytes = 0;
    this.count = 0;
    return this;
  }

  /** Room for `n` more bytes at `bytes`. */
  reserve(n: number): void {
    if (this.bytes + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.bytes + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.bytes));
    this.buf = next;
  }

  add(record: unknown): void {
    const packed = packOne(record); // a view valid until the next pack: copied at once
    this.reserve(packed.length);
    this.buf.set(packed, this.bytes);
    this.bytes += packed.length;
    this.added();
  }

  /** A record was written at buf[.., bytes) directly. */
  added(): void {
    this.count++;
    if (this.bytes >= cfg.partBytes || this.count >= cfg.partRecords) this.cut();
  }

  cut(): void {
    if (this.count === 0) return;
    const seg = deflateSegment(this.buf.subarray(0, this.bytes));
    // The segment gets an ArrayBuffer of its own to transfer (zlib's output may share a pool).
    const data = new Uint8Array(seg.data.length);
    data.set(seg.data);
    this.parts.push({ tag: this.tag, data: data.buffer, length: data.length, records: this.count, deflated: seg.deflated });
    this.bytes = 0;
    this.count = 0;
  }
}

const builder = new PartBuilder();

/** A line's bytes straight to its record's msgpack, or -1 for the parser (json-transcode.ts). */
type Transcoder = (buf: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, nowSec: number) => number;

/** The byte-level fast path of a format, when it has one: json and none without a time key. */
function transcoderFor(m: EncodeRequest): Transcoder | null {
  if (m.timeKey !== undefined) return null;
  if (m.format === 'json') return transcodeJsonLine;
  if (m.format === 'none') return transcodeNoneLine;
  return null;
}

function encode(m: EncodeRequest): EncodeReply {
  const parse = parserFor(m.format, m.timeKey);
  const fast = transcoderFor(m);
  const out = builder.begin(m.tag);
  let lines = 0;
  let parseErrors = 0;
  let truncated = 0;
  const addLine = (line: string): void => {
    if (line.length === 0) return; // a blank line carries nothing
    const r = parse(line, m.nowSec);
    if (r.error !== undefined) parseErrors++;
    out.add(r.record);
    lines++;
  };
  if (m.lead !== undefined) addLine(m.lead);
  const block = Buffer.from(m.block, m.byteOffset, m.length);
  const max = m.maxLineBytes;
  let start = 0;
  while (start < block.length) {
    let nl = block.indexOf(NL, start);
    if (nl === -1) nl = block.length; // a caller keeps to complete lines; the rest is a line anyway
    let end = nl;
    if (end > start && block[end - 1] === CR) end--;
    if (end - start > max) {
      // Cut on a UTF-8 boundary, as LineSplitter does (the "\r" is not content).
      truncated++;
      addLine(block.toString('utf8', start, start + utf8Cut(block.subarray(start, nl), max)));
    } else if (end > start) {
      let written = -1;
      if (fast) {
        out.reserve(maxTranscodedBytes(end - start));
        written = fast(block, start, end, out.buf, out.bytes, m.nowSec);
      }
      if (written >= 0) {
        out.bytes = written;
        out.added();
        lines++;
      } else addLine(block.toString('utf8', start, end));
    }
    start = nl + 1;
  }
  out.cut();
  return { id: m.id, ok: true, kind: 'lines', parts: out.parts, lines, parseErrors, truncatedLines: truncated, block: m.block };
}

/**
 * PackedForward entries → records with an integer `time`: copied byte for byte where the record is
 * plain (entry-copy.ts), else decoded exactly as the forward input's own path does.
 */
function encodeEntries(m: EntriesRequest): EncodeReply {
  const raw = Buffer.from(m.block, m.byteOffset, m.length);
  const out = builder.begin(m.tag);
  const c = new Cursor(raw, 0, raw.length);
  let records = 0;
  let skipped = 0;
  while (!c.done) {
    const n = c.arrayHeader();
    if (n === null || n < 2) throw new MalformedFrameError('an event entry must be an array [time, record]');
    const time = c.time() ?? m.nowSec;
    const [s, e] = c.skip();
    for (let k = 2; k < n; k++) c.skip();
    out.reserve(e - s + ENTRY_COPY_OVERHEAD);
    const end = copyRecordWithTime(raw, s, e, time, out.buf, out.bytes);
    if (end >= 0) {
      out.bytes = end;
      out.added();
      records++;
      continue;
    }
    const record = eventRecord(time, decodeOne(raw.subarray(s, e)));
    if (record === null) skipped++;
    else {
      out.add(record);
      records++;
    }
  }
  out.cut();
  return { id: m.id, ok: true, kind: 'entries', parts: out.parts, records, skipped, block: m.block };
}

port.on('message', (m: WorkerRequest) => {
  let reply: EncodeReply;
  try {
    reply = m.kind === 'entries' ? encodeEntries(m) : encode(m);
  } catch (err) {
    reply = { id: m.id, ok: false, message: (err as Error).message };
  }
  // The block goes back too: its memory is then reused or freed by the main thread at once, instead
  // of waiting for this thread's (rare) full GC.
  port.postMessage(reply, reply.ok ? [...reply.parts.map((p) => p.data), reply.block] : [m.block]);
});
