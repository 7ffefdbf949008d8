// Runs the line worker and hands each encoded part to `commit` in order, acknowledging it (so the
// worker may read on) only after the commit resolved. Resolves with the worker's totals.
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

export function readLines(data: LineWorkerData, commit: (part: Buffer, records: number) => Promise<void>): LineReader {
  // A small young generation keeps the worker's heap (and the process RSS) low at little cost.
  const worker = new Worker(new URL('./line-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const send = (m: ToWorker): void => worker.postMessage(m);
  let chain = Promise.resolve();
  let failed: Error | null = null;
  const done = new Promise<LineReadTotals>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'part') {
        chain = chain.then(async () => {
          if (failed) return;
          try {
            await commit(Buffer.from(m.data), m.records);
            send({ type: 'ack' });
          } catch (err) {
            failed = err as Error;
            send({ type: 'stop' });
          }
        });
      } else if (m.type === 'end') {
        void chain.then(() => {
          void worker.terminate();
          if (failed) reject(failed);
          else resolve({ lines: m.lines, parseErrors: m.parseErrors, bytes: m.bytes, truncatedLines: m.truncatedLines, interrupted: m.interrupted });
        });
      } else {
        void chain.then(() => {
          void worker.terminate();
          reject(failed ?? new TdfwdError('IO', `reading stdin failed: ${m.message}`));
        });
      }
    });
    worker.on('error', (err) => reject(new TdfwdError('IO', `the line reader failed: ${err.message}`)));
  });
  return { done, stop: () => send({ type: 'stop' }) };
}
