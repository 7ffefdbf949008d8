// The encoding half of the daemon's tail and forward inputs, on a worker thread: turns a block of
// complete lines (or PackedForward entries) into records, packs them into parts within the buffer's
// part limits and compresses each part into a deflate segment (codec/gzip-segments.ts), so the main
// thread only reads, commits compressed bytes and delivers.
//
// Owns one PartBuilder (its buffer reused for every part: only the compressed copy leaves the thread)
// and the parsers it has built. The block comes back with the reply, so the main thread can read into
// its memory again.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeOne } from '../codec/msgpack.js';
import { copyRecordWithTime, ENTRY_COPY_OVERHEAD } from '../inputs/forward/entry-copy.js';
import { eventRecord } from '../inputs/forward/frame.js';
import { Cursor, MalformedFrameError } from '../inputs/forward/scan.js';
import { createParser, type LineParser } from '../parsers/index.js';
import type { EncodedPartMessage, EncodeReply, EncodeRequest, EncodeWorkerData, EntriesRequest, WorkerRequest } from './encode-worker-protocol.js';
import { addLine, addLines, transcoderFor, type LineJob } from './line-bytes.js';
import { PartBuilder } from './part-builder.js';

const port = parentPort;
if (!port) throw new Error('encode-worker must run as a worker thread');
const cfg = workerData as EncodeWorkerData;

const parsers = new Map<string, LineParser>();
const builder = new PartBuilder(cfg.partBytes, cfg.partRecords);

function parserFor(format: string, timeKey: string | undefined): LineParser {
  const key = `${format}\u0000${timeKey ?? ''}`;
  let p = parsers.get(key);
  if (!p) {
    p = createParser(format, timeKey !== undefined ? { timeKey } : {});
    parsers.set(key, p);
  }
  return p;
}

function tagged(tag: string): EncodedPartMessage[] {
  return builder.parts.map((p) => ({ tag, ...p }));
}

function encode(m: EncodeRequest): EncodeReply {
  const job: LineJob = {
    out: builder.begin(),
    parse: parserFor(m.format, m.timeKey),
    fast: transcoderFor(m.format, m.timeKey),
    nowSec: m.nowSec,
    maxLineBytes: m.maxLineBytes,
    lines: 0,
    parseErrors: 0,
    truncatedLines: 0,
  };
  if (m.lead !== undefined) addLine(job, m.lead);
  const block = Buffer.from(m.block, m.byteOffset, m.length);
  addLines(job, block, 0, block.length); // a caller keeps to complete lines; a rest is a line anyway
  builder.cut();
  const { lines, parseErrors, truncatedLines } = job;
  return { id: m.id, ok: true, kind: 'lines', parts: tagged(m.tag), lines, parseErrors, truncatedLines, block: m.block };
}

/**
 * PackedForward entries → records with an integer `time`: copied byte for byte where the record is
 * plain (entry-copy.ts), else decoded exactly as the forward input's own path does.
 */
function encodeEntries(m: EntriesRequest): EncodeReply {
  const raw = Buffer.from(m.block, m.byteOffset, m.length);
  const out = builder.begin();
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
  return { id: m.id, ok: true, kind: 'entries', parts: tagged(m.tag), records, skipped, block: m.block };
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
