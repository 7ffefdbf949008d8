// The parsing half of `tdfwd send`, on a worker thread: splits each block of input it is sent into
// lines, parses and encodes them, and posts the block's parts (transferred, not copied) back with the
// block's sequence number; the main thread commits blocks in sequence order. Several workers share
// the parsing; a block's records never wait in a worker for a later block.
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatch } from '../codec/msgpack.js';
import { createParser, LineSplitter } from '../parsers/index.js';
import type { FromWorker, LineWorkerData, ToWorker, WorkerPart } from './line-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('line-worker must run as a worker thread');
const cfg = workerData as LineWorkerData;

const parse = createParser(cfg.format, cfg.timeKey !== undefined ? { timeKey: cfg.timeKey } : {});
const splitter = new LineSplitter();
const batch = new RecordBatch(cfg.partBytes + 64 * 1024);

port.on('message', (m: ToWorker) => {
  try {
    const parts: WorkerPart[] = [];
    const cut = (): void => {
      if (batch.count === 0) return;
      const records = batch.count;
      parts.push({ data: batch.takeArrayBuffer(), records });
    };
    let lines = 0;
    let parseErrors = 0;
    const add = (line: string, nowSec: number): void => {
      if (line.length === 0) return;
      const r = parse(line, nowSec);
      if (r.error !== undefined) parseErrors++;
      batch.add(r.record);
      lines++;
      if (batch.bytes >= cfg.partBytes || batch.count >= cfg.partRecords) cut();
    };
    const nowSec = Math.floor(Date.now() / 1000);
    const truncatedBefore = splitter.truncatedLines;
    for (const line of splitter.push(Buffer.from(m.chunk))) add(line, nowSec);
    if (m.final) {
      const rest = splitter.end();
      if (rest !== null) add(rest, nowSec);
    }
    cut();
    const reply: FromWorker = { type: 'parts', seq: m.seq, parts, lines, parseErrors, truncatedLines: splitter.truncatedLines - truncatedBefore };
    port!.postMessage(reply, parts.map((p) => p.data));
  } catch (err) {
    port!.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
  }
});
