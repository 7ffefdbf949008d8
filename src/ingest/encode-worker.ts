// The encoding half of the daemon's tail input, on a worker thread: splits a block of complete lines,
// parses each one and packs the records into parts within the buffer's part limits, then posts the
// parts back (transferred). The main thread only reads files and commits.
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatch } from '../codec/msgpack.js';
import { createParser, LineSplitter, type LineParser } from '../parsers/index.js';
import type { EncodedPartMessage, EncodeReply, EncodeRequest, EncodeWorkerData } from './encode-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('encode-worker must run as a worker thread');
const cfg = workerData as EncodeWorkerData;

/** Lines are split in slices of this size: a 4 MiB block never becomes one array of 20k strings. */
const SLICE_BYTES = 64 * 1024;

const parsers = new Map<string, LineParser>();
const batch = new RecordBatch(cfg.partBytes + 64 * 1024);

function parserFor(format: string, timeKey: string | undefined): LineParser {
  const key = `${format}\u0000${timeKey ?? ''}`;
  let p = parsers.get(key);
  if (!p) {
    p = createParser(format, timeKey !== undefined ? { timeKey } : {});
    parsers.set(key, p);
  }
  return p;
}

function encode(m: EncodeRequest): EncodeReply {
  const parse = parserFor(m.format, m.timeKey);
  const parts: EncodedPartMessage[] = [];
  let lines = 0;
  let parseErrors = 0;
  const cut = (): void => {
    if (batch.count === 0) return;
    const records = batch.count;
    parts.push({ tag: m.tag, data: batch.takeArrayBuffer(), records });
  };
  const add = (line: string): void => {
    if (line.length === 0) return; // a blank line carries nothing
    const r = parse(line, m.nowSec);
    if (r.error !== undefined) parseErrors++;
    batch.add(r.record);
    lines++;
    if (batch.bytes >= cfg.partBytes || batch.count >= cfg.partRecords) cut();
  };
  if (m.lead !== undefined) add(m.lead);
  const splitter = new LineSplitter({ maxLineBytes: m.maxLineBytes });
  const block = Buffer.from(m.block, m.byteOffset, m.length);
  for (let pos = 0; pos < block.length; pos += SLICE_BYTES) {
    for (const line of splitter.push(block.subarray(pos, Math.min(block.length, pos + SLICE_BYTES)))) add(line);
  }
  const rest = splitter.end(); // none when the caller kept to complete lines
  if (rest !== null) add(rest);
  cut();
  return { id: m.id, ok: true, parts, lines, parseErrors, truncatedLines: splitter.truncatedLines, block: m.block };
}

port.on('message', (m: EncodeRequest) => {
  let reply: EncodeReply;
  try {
    reply = encode(m);
  } catch (err) {
    batch.takeArrayBuffer(); // drop a half-built part
    reply = { id: m.id, ok: false, message: (err as Error).message };
  }
  // The block goes back too: its memory is then freed or reused by the main thread at once, instead
  // of waiting for this thread's (rare) full GC.
  port.postMessage(reply, reply.ok ? [...reply.parts.map((p) => p.data), reply.block] : [m.block]);
});
