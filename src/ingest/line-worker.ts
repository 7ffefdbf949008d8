// The parsing half of `tdfwd send`, on a worker thread: splits the input chunks it is sent into
// lines, parses and encodes them into parts, and posts each part (transferred, not copied) to the
// main thread, which commits it to SQLite. Parsing and committing then use both cores.
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatch } from '../codec/msgpack.js';
import { createParser, LineSplitter } from '../parsers/index.js';
import type { FromWorker, LineWorkerData, ToWorker } from './line-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('line-worker must run as a worker thread');
const cfg = workerData as LineWorkerData;

const parse = createParser(cfg.format, cfg.timeKey !== undefined ? { timeKey: cfg.timeKey } : {});
const splitter = new LineSplitter();
const batch = new RecordBatch(cfg.partBytes + 64 * 1024);
let lines = 0;
let parseErrors = 0;

function post(): void {
  if (batch.count === 0) return;
  const records = batch.count;
  const data = batch.takeArrayBuffer();
  const msg: FromWorker = { type: 'part', data, records };
  port!.postMessage(msg, [data]);
}

function add(line: string, nowSec: number): void {
  if (line.length === 0) return;
  const r = parse(line, nowSec);
  if (r.error !== undefined) parseErrors++;
  batch.add(r.record);
  lines++;
}

port.on('message', (m: ToWorker) => {
  try {
    if (m.type === 'data') {
      const nowSec = Math.floor(Date.now() / 1000);
      for (const line of splitter.push(Buffer.from(m.chunk))) {
        add(line, nowSec);
        if (batch.bytes >= cfg.partBytes || batch.count >= cfg.partRecords) post();
      }
      port!.postMessage({ type: 'consumed' } satisfies FromWorker);
    } else if (m.type === 'idle') {
      post(); // a slow source: commit what was read without waiting for a full part
    } else {
      if (m.complete) {
        const rest = splitter.end();
        if (rest !== null) add(rest, Math.floor(Date.now() / 1000));
      }
      post();
      port!.postMessage({ type: 'end', lines, parseErrors, truncatedLines: splitter.truncatedLines } satisfies FromWorker);
    }
  } catch (err) {
    port!.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
  }
});
