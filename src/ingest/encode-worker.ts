// The encoding half of the daemon's tail input, on a worker thread: splits a block of complete lines,
// parses each one and packs the records into parts within the buffer's part limits, then posts the
// parts back (transferred). The main thread only reads files and commits.
//
// Memory goes round instead of being allocated per block: the block comes back with the reply, and
// the main thread sends part buffers it has committed back with later requests (`spares`), so
// neither thread's heap has to be collected for that memory to be freed.
import { parentPort, workerData } from 'node:worker_threads';
import { packOne } from '../codec/msgpack.js';
import { decodePackedEntries } from '../inputs/forward/frame.js';
import { createParser, LineSplitter, type LineParser } from '../parsers/index.js';
import type { EncodedPartMessage, EncodeReply, EncodeRequest, EncodeWorkerData, EntriesRequest, WorkerRequest } from './encode-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('encode-worker must run as a worker thread');
const cfg = workerData as EncodeWorkerData;

/** Lines are split in slices of this size: a 4 MiB block never becomes one array of 20k strings. */
const SLICE_BYTES = 64 * 1024;
/** A part is cut at partBytes, so it rarely needs more than one record beyond that. */
const PART_CAPACITY = cfg.partBytes + 64 * 1024;
const MAX_SPARES = 6;

const parsers = new Map<string, LineParser>();
const spares: ArrayBuffer[] = [];

function parserFor(format: string, timeKey: string | undefined): LineParser {
  const key = `${format}\u0000${timeKey ?? ''}`;
  let p = parsers.get(key);
  if (!p) {
    p = createParser(format, timeKey !== undefined ? { timeKey } : {});
    parsers.set(key, p);
  }
  return p;
}

/** The part being filled: encoded records, one after another, in a buffer that is handed over whole. */
class PartBuilder {
  #buf: Uint8Array | null = null;
  bytes = 0;
  count = 0;

  add(record: unknown): void {
    const packed = packOne(record); // a view valid until the next pack: copied at once
    const need = this.bytes + packed.length;
    if (!this.#buf || need > this.#buf.length) {
      const next = new Uint8Array(takeSpare(Math.max(need, PART_CAPACITY)));
      if (this.#buf) next.set(this.#buf.subarray(0, this.bytes));
      this.#buf = next;
    }
    this.#buf.set(packed, this.bytes);
    this.bytes = need;
    this.count++;
  }

  take(tag: string): EncodedPartMessage | null {
    if (!this.#buf || this.count === 0) return null;
    const part = { tag, data: this.#buf.buffer as ArrayBuffer, length: this.bytes, records: this.count };
    this.#buf = null;
    this.bytes = 0;
    this.count = 0;
    return part;
  }
}

function takeSpare(bytes: number): ArrayBuffer {
  const i = spares.findIndex((b) => b.byteLength >= bytes);
  return i === -1 ? new ArrayBuffer(bytes) : (spares.splice(i, 1)[0] as ArrayBuffer);
}

function encode(m: EncodeRequest): EncodeReply {
  const parse = parserFor(m.format, m.timeKey);
  const parts: EncodedPartMessage[] = [];
  const part = new PartBuilder();
  let lines = 0;
  let parseErrors = 0;
  const cut = (): void => {
    const p = part.take(m.tag);
    if (p) parts.push(p);
  };
  const add = (line: string): void => {
    if (line.length === 0) return; // a blank line carries nothing
    const r = parse(line, m.nowSec);
    if (r.error !== undefined) parseErrors++;
    part.add(r.record);
    lines++;
    if (part.bytes >= cfg.partBytes || part.count >= cfg.partRecords) cut();
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
  return { id: m.id, ok: true, kind: 'lines', parts, lines, parseErrors, truncatedLines: splitter.truncatedLines, block: m.block };
}

/** PackedForward entries → records, decoded exactly as the forward input's own path does. */
function encodeEntries(m: EntriesRequest): EncodeReply {
  const decoded = decodePackedEntries(m.tag, Buffer.from(m.block, m.byteOffset, m.length), m.nowSec);
  const parts: EncodedPartMessage[] = [];
  const part = new PartBuilder();
  for (const ev of decoded.events) {
    part.add(ev.record);
    if (part.bytes >= cfg.partBytes || part.count >= cfg.partRecords) {
      const p = part.take(m.tag);
      if (p) parts.push(p);
    }
  }
  const last = part.take(m.tag);
  if (last) parts.push(last);
  return { id: m.id, ok: true, kind: 'entries', parts, records: decoded.events.length, skipped: decoded.skipped, block: m.block };
}

port.on('message', (m: WorkerRequest) => {
  for (const s of m.spares) if (spares.length < MAX_SPARES) spares.push(s);
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
