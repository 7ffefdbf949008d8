// Reads a stream (stdin) on the main thread, cuts it into blocks of whole lines, hands the blocks to
// the line workers in turn, and commits what they send back in input order (consecutive finished
// blocks in one transaction). Parsing (the costly part) runs on the workers while this thread reads
// and commits.
//
// Bounded: reading pauses while MAX_BLOCKS_OUT blocks are out (at a worker or waiting for their turn
// to commit), so memory stays flat whatever the input size. A slow source is not held back: what was
// read is sent on after IDLE_FLUSH_MS of silence. On stop, the complete lines already read are still
// committed; a partial last line is not.
import type { DeflatedInfo } from '../core/sink.js';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { TdfwdError } from '../core/errors.js';
import type { FromWorker, LineWorkerData, ToWorker, WorkerPart } from './line-worker-protocol.js';

export interface LineReadTotals {
  lines: number;
  parseErrors: number;
  bytes: number;
  truncatedLines: number;
  interrupted: boolean;
}

export interface LineReader {
  done: Promise<LineReadTotals>;
  /** Stop reading: complete lines already read are still committed. */
  stop(): void;
}

export interface CommitPart {
  data: Buffer;
  records: number;
  deflated?: DeflatedInfo | undefined;
}

const BLOCK_BYTES = 512 * 1024;
const MAX_BLOCKS_OUT = 6;
const IDLE_FLUSH_MS = 200;
const NL = 0x0a;

export function readLines(
  input: Readable,
  data: LineWorkerData,
  commit: (parts: CommitPart[]) => Promise<void>,
  workerCount = 1,
): LineReader {
  // A small young generation keeps each worker's heap (and the process RSS) low at little cost.
  const workers = Array.from(
    { length: Math.max(1, workerCount) },
    () => new Worker(new URL('./line-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4 } }),
  );
  const totals: LineReadTotals = { lines: 0, parseErrors: 0, bytes: 0, truncatedLines: 0, interrupted: false };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let nextSeq = 0; // next block to dispatch
  let commitSeq = 0; // next block to commit
  let turn = 0; // which worker gets the next block
  let ended = false;
  let failed: Error | null = null;
  let committing = false;
  let idle: NodeJS.Timeout | null = null;
  const finished = new Map<number, Extract<FromWorker, { type: 'parts' }>>();
  let resolveDone: (t: LineReadTotals) => void = () => {};
  let rejectDone: (e: Error) => void = () => {};
  const done = new Promise<LineReadTotals>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const out = (): number => nextSeq - commitSeq;
  const flowControl = (): void => {
    if (ended) return;
    if (out() >= MAX_BLOCKS_OUT) input.pause();
    else input.resume();
  };

  /** Send `bytes` to the current worker; move to the next worker only after a block ends a line. */
  const dispatch = (bytes: Buffer, final: boolean): void => {
    const endsLine = bytes.length === 0 || bytes[bytes.length - 1] === NL; // before the transfer empties it
    // Transfer the block's own ArrayBuffer when it is exactly the block; else copy it into one.
    let ab: ArrayBuffer;
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) ab = bytes.buffer;
    else {
      ab = new ArrayBuffer(bytes.length);
      new Uint8Array(ab).set(bytes);
    }
    const msg: ToWorker = { type: 'block', seq: nextSeq++, chunk: ab, final };
    (workers[turn] as Worker).postMessage(msg, [ab]);
    if (endsLine) turn = (turn + 1) % workers.length;
  };

  /** Dispatch the pending bytes through their last newline (all of them when `final`). */
  const cut = (final: boolean): void => {
    if (pendingBytes === 0 && !final) return;
    // Gather into a fresh ArrayBuffer (not Node's pool), so a whole block can be transferred as is.
    const all = Buffer.from(new ArrayBuffer(pendingBytes));
    let at = 0;
    for (const c of pending) {
      c.copy(all, at);
      at += c.length;
    }
    pending = [];
    pendingBytes = 0;
    if (final) {
      dispatch(all, true);
      return;
    }
    const nl = all.lastIndexOf(NL);
    if (nl === -1) {
      // No line ends here: a very long line. Let the worker hold it (and truncate it) if it is large.
      if (all.length >= BLOCK_BYTES) dispatch(all, false);
      else {
        pending = [all];
        pendingBytes = all.length;
      }
      return;
    }
    dispatch(all.subarray(0, nl + 1), false);
    if (nl + 1 < all.length) {
      pending = [Buffer.from(all.subarray(nl + 1))];
      pendingBytes = all.length - nl - 1;
    }
  };

  const maybeFinish = (): void => {
    if (ended && commitSeq === nextSeq && !committing) {
      for (const w of workers) void w.terminate();
      if (failed) rejectDone(failed);
      else resolveDone(totals);
    }
  };

  const commitReady = async (): Promise<void> => {
    if (committing) return;
    committing = true;
    try {
      while (finished.has(commitSeq)) {
        const parts: CommitPart[] = [];
        while (finished.has(commitSeq)) {
          const r = finished.get(commitSeq) as Extract<FromWorker, { type: 'parts' }>;
          finished.delete(commitSeq);
          commitSeq++;
          totals.lines += r.lines;
          totals.parseErrors += r.parseErrors;
          totals.truncatedLines += r.truncatedLines;
          for (const p of r.parts as WorkerPart[]) parts.push({ data: Buffer.from(p.data, 0, p.length), records: p.records, deflated: p.deflated });
        }
        if (parts.length > 0 && !failed) {
          try {
            await commit(parts);
          } catch (err) {
            failed = err as Error;
            finishInput(false);
          }
        }
        flowControl();
      }
    } finally {
      committing = false;
    }
    maybeFinish();
  };

  const finishInput = (complete: boolean): void => {
    if (ended) return;
    if (idle) clearTimeout(idle);
    input.off('data', onData);
    input.pause();
    if (complete) cut(true);
    else if (pendingBytes > 0) {
      // Stopped: the complete lines read so far are committed, a partial last line is not.
      const all = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const nl = all.lastIndexOf(NL);
      if (nl !== -1) dispatch(all.subarray(0, nl + 1), false);
    }
    ended = true;
    maybeFinish();
  };

  const onData = (chunk: Buffer): void => {
    if (idle) clearTimeout(idle);
    totals.bytes += chunk.length;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= BLOCK_BYTES) cut(false);
    flowControl();
    idle = setTimeout(() => {
      cut(false);
      flowControl();
    }, IDLE_FLUSH_MS);
  };

  for (const w of workers) {
    w.on('message', (m: FromWorker) => {
      if (m.type === 'parts') {
        finished.set(m.seq, m);
        void commitReady();
      } else {
        failed = failed ?? new TdfwdError('IO', `parsing the input failed: ${m.message}`);
        finishInput(false);
        // the failed block never comes back: stop waiting for it
        for (const x of workers) void x.terminate();
        rejectDone(failed);
      }
    });
    w.on('error', (err) => {
      failed = failed ?? new TdfwdError('IO', `a line worker failed: ${err.message}`);
      for (const x of workers) void x.terminate();
      rejectDone(failed);
    });
  }
  input.on('data', onData);
  input.once('end', () => finishInput(true));
  input.once('error', (err) => {
    failed = new TdfwdError('IO', `reading stdin failed: ${err.message}`);
    finishInput(false);
  });

  return {
    done,
    stop: () => {
      totals.interrupted = true;
      finishInput(false);
    },
  };
}
