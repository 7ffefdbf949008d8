// The parsing half of `tdfwd send`, on a worker thread: reads a file descriptor (stdin), splits lines,
// parses and encodes them into parts, and posts each part (transferred, not copied) to the main
// thread, which commits it to SQLite. Parsing and committing then run on both cores at once.
// Bounded: at most `maxInflight` parts are posted and not yet acknowledged; then reading pauses.
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatch } from '../codec/msgpack.js';
import { createParser, LineSplitter } from '../parsers/index.js';
import type { FromWorker, LineWorkerData, ToWorker } from './line-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('line-worker must run as a worker thread');
const cfg = workerData as LineWorkerData;

async function run(): Promise<void> {
  const parse = createParser(cfg.format, cfg.timeKey !== undefined ? { timeKey: cfg.timeKey } : {});
  const splitter = new LineSplitter();
  const batch = new RecordBatch(cfg.partBytes + 64 * 1024);
  let credits = cfg.maxInflight;
  let wake: (() => void) | null = null;
  let stopping = false;
  let lines = 0;
  let parseErrors = 0;
  let bytes = 0;
  const input = createReadStream('', { fd: cfg.fd, highWaterMark: 256 * 1024, autoClose: false });
  port!.on('message', (m: ToWorker) => {
    if (m.type === 'ack') credits++;
    if (m.type === 'stop') {
      stopping = true;
      input.destroy();
    }
    wake?.();
  });
  const post = async (): Promise<void> => {
    if (batch.count === 0) return;
    while (credits <= 0) await new Promise<void>((r) => (wake = r));
    wake = null;
    credits--;
    const records = batch.count;
    const ab = batch.takeArrayBuffer();
    const msg: FromWorker = { type: 'part', data: ab, records, lines, parseErrors, bytes };
    port!.postMessage(msg, [ab]);
  };
  const add = (line: string, nowSec: number): void => {
    if (line.length === 0) return;
    const r = parse(line, nowSec);
    if (r.error !== undefined) parseErrors++;
    batch.add(r.record);
    lines++;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const nowSec = Math.floor(Date.now() / 1000);
      for (const line of splitter.push(chunk)) {
        add(line, nowSec);
        if (batch.bytes >= cfg.partBytes || batch.count >= cfg.partRecords) await post();
      }
      if (stopping) break;
    }
  } catch (err) {
    if (!stopping) throw err;
  }
  if (!stopping) {
    const rest = splitter.end();
    if (rest !== null) add(rest, Math.floor(Date.now() / 1000));
  }
  await post();
  const end: FromWorker = { type: 'end', lines, parseErrors, bytes, truncatedLines: splitter.truncatedLines, interrupted: stopping };
  port!.postMessage(end);
}

run().catch((err: Error) => {
  const msg: FromWorker = { type: 'error', message: err.message };
  port.postMessage(msg);
});
