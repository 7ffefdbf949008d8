// The parsing half of `tdfwd send`, on a worker thread: splits each block of input it is sent into
// lines, encodes them (line-bytes.ts: json and none straight from bytes, other formats parsed) into
// parts compressed as deflate segments, and posts the block's parts (transferred, not copied) back
// with the block's sequence number; the main thread commits blocks in sequence order. Several workers
// share the parsing; a block's records never wait in a worker for a later block.
//
// Owns a LineSplitter holding the unterminated end of the last block (continued by the next block
// sent to this worker) and one PartBuilder.
import { parentPort, workerData } from 'node:worker_threads';
import { createParser, LineSplitter } from '../parsers/index.js';
import { addLine, addLines, transcoderFor, type LineJob } from './line-bytes.js';
import type { FromWorker, LineWorkerData, ToWorker, WorkerPart } from './line-worker-protocol.js';
import { PartBuilder } from './part-builder.js';

const port = parentPort;
if (!port) throw new Error('line-worker must run as a worker thread');
const cfg = workerData as LineWorkerData;

const NL = 10;
/** send's longest line (LineSplitter's default): longer ones are truncated and counted. */
const MAX_LINE_BYTES = 1024 * 1024;
const parse = createParser(cfg.format, cfg.timeKey !== undefined ? { timeKey: cfg.timeKey } : {});
const fast = transcoderFor(cfg.format, cfg.timeKey);
const splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
const builder = new PartBuilder(cfg.partBytes, cfg.partRecords, 'deflate');

port.on('message', (m: ToWorker) => {
  try {
    const job: LineJob = {
      out: builder.begin(),
      parse,
      fast,
      nowSec: Math.floor(Date.now() / 1000),
      maxLineBytes: MAX_LINE_BYTES,
      lines: 0,
      parseErrors: 0,
      truncatedLines: 0,
    };
    const truncatedBefore = splitter.truncatedLines;
    const chunk = Buffer.from(m.chunk);
    const firstNl = chunk.indexOf(NL);
    if (firstNl === -1) {
      splitter.push(chunk); // no line ends here: held (and truncated past the limit) by the splitter
    } else {
      let start = 0;
      if (splitter.pendingBytes > 0) {
        // The first "\n" ends the line begun in earlier blocks: the splitter cuts it.
        for (const line of splitter.push(chunk.subarray(0, firstNl + 1))) addLine(job, line);
        start = firstNl + 1;
      }
      const lastNl = chunk.lastIndexOf(NL);
      if (lastNl >= start) addLines(job, chunk, start, lastNl + 1);
      if (lastNl + 1 < chunk.length) splitter.push(chunk.subarray(lastNl + 1));
    }
    if (m.final) {
      const rest = splitter.end();
      if (rest !== null) addLine(job, rest);
    }
    builder.cut();
    const parts: WorkerPart[] = builder.parts;
    const truncatedLines = splitter.truncatedLines - truncatedBefore + job.truncatedLines;
    const reply: FromWorker = { type: 'parts', seq: m.seq, parts, lines: job.lines, parseErrors: job.parseErrors, truncatedLines };
    port.postMessage(reply, parts.map((p) => p.data));
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromWorker);
  }
});
