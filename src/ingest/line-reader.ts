// Reads a stream (stdin) on the main thread, hands its chunks to the line worker, and commits the
// parts the worker sends back, in order. Bounded: reading pauses while the worker has more than a few
// chunks to parse or parts wait to be committed, so memory stays flat whatever the input size.
// On stop, lines already read are still parsed and committed.
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { TdfwdError } from '../core/errors.js';
import type { FromWorker, LineWorkerData, ToWorker } from './line-worker-protocol.js';

export interface LineReadTotals {
  lines: number;
  parseErrors: number;
  bytes: number;
  truncatedLines: number;
  interrupted: boolean;
}

export interface LineReader {
  done: Promise<LineReadTotals>;
  /** Stop reading: lines already read are still committed. */
  stop(): void;
}

const MAX_CHUNKS_AT_WORKER = 64; // ~4 MiB of stdin: enough to keep the worker busy through a commit
const MAX_PARTS_WAITING = 4;
const IDLE_FLUSH_MS = 200;

export function readLines(input: Readable, data: LineWorkerData, commit: (part: Buffer, records: number) => Promise<void>): LineReader {
  // A small young generation keeps the worker's heap (and the process RSS) low at little cost.
  const worker = new Worker(new URL('./line-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const send = (m: ToWorker, transfer?: ArrayBuffer[]): void => worker.postMessage(m, transfer);
  let atWorker = 0;
  let partsWaiting = 0;
  let bytes = 0;
  let ended = false;
  let interrupted = false;
  let failed: Error | null = null;
  let chain = Promise.resolve();
  let idle: NodeJS.Timeout | null = null;

  const flowControl = (): void => {
    if (ended) return;
    if (atWorker >= MAX_CHUNKS_AT_WORKER || partsWaiting >= MAX_PARTS_WAITING) input.pause();
    else input.resume();
  };
  const finishInput = (complete: boolean): void => {
    if (ended) return;
    ended = true;
    if (idle) clearTimeout(idle);
    input.off('data', onData);
    input.pause();
    send({ type: 'end', complete });
  };
  const onData = (chunk: Buffer): void => {
    if (idle) clearTimeout(idle);
    bytes += chunk.length;
    const ab = new ArrayBuffer(chunk.length);
    new Uint8Array(ab).set(chunk);
    atWorker++;
    send({ type: 'data', chunk: ab }, [ab]);
    flowControl();
    idle = setTimeout(() => send({ type: 'idle' }), IDLE_FLUSH_MS);
  };

  const done = new Promise<LineReadTotals>((resolve, reject) => {
    const fail = (err: Error): void => {
      void worker.terminate();
      reject(err);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'consumed') {
        atWorker--;
        flowControl();
      } else if (m.type === 'part') {
        partsWaiting++;
        chain = chain.then(async () => {
          if (failed) return;
          try {
            await commit(Buffer.from(m.data), m.records);
          } catch (err) {
            failed = err as Error;
            finishInput(false);
          }
          partsWaiting--;
          flowControl();
        });
      } else if (m.type === 'end') {
        void chain.then(() => {
          void worker.terminate();
          if (failed) reject(failed);
          else resolve({ lines: m.lines, parseErrors: m.parseErrors, bytes, truncatedLines: m.truncatedLines, interrupted });
        });
      } else {
        void chain.then(() => fail(failed ?? new TdfwdError('IO', `parsing the input failed: ${m.message}`)));
      }
    });
    worker.on('error', (err) => fail(new TdfwdError('IO', `the line worker failed: ${err.message}`)));
    input.on('data', onData);
    input.once('end', () => finishInput(true));
    input.once('error', (err) => {
      failed = new TdfwdError('IO', `reading stdin failed: ${err.message}`);
      finishInput(false);
    });
  });
  return {
    done,
    stop: () => {
      interrupted = true;
      finishInput(false);
    },
  };
}
