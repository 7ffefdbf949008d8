// Reads a byte source (byte-source.ts: standard input, for the stdin input and `tdfwd send`) for the
// encoder: cuts it into blocks of whole lines, has the encoder parse, pack and compress each block, and
// commits the blocks in input order, up to BLOCKS_PER_COMMIT blocks that are ready together in one
// transaction (one fsync).
//
// Owns the one block buffer each read is copied into as it arrives (reused from block to block: the
// encoder reads a block only while its call runs, core/encoder.ts), the LineSplitter holding a copy of
// a line that runs across blocks (cut past MAX_LINE_BYTES, so memory stays bounded whatever the line
// length), and the chain of commits.
// Bounded: reading pauses while maxBlocksOut blocks are encoded and not yet committed. A slow source
// is not held back: what was read is committed at most IDLE_FLUSH_MS later, even while more arrives.
// On stop, the complete lines already read are still committed; a partial last line is not.
//
// States: reading → ended (end of input, stop, or a failure) → done (every block committed or failed).
import { TdfwdError } from '../core/errors.js';
import type { Encoder } from '../core/encoder.js';
import type { EncodedPart } from '../core/sink.js';
import { LineSplitter } from '../parsers/line-splitter.js';
import type { ByteSource } from './byte-source.js';

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

export interface LineReaderOptions {
  tag: string;
  format: string;
  timeKey?: string | undefined;
  encoder: Encoder;
  /** Blocks read and not yet committed at most; fewer hold less memory. */
  maxBlocksOut: number;
}

/** What one commit holds, for counting as it happens (the daemon's metrics). */
export interface LineCommitCounts {
  lines: number;
  parseErrors: number;
  truncatedLines: number;
}

const BLOCK_BYTES = 1024 * 1024;
/** Blocks committed in one transaction at most (one fsync for several blocks), when they are ready together. */
const BLOCKS_PER_COMMIT = 4;
/** The block buffer's size: a block is cut once BLOCK_BYTES are pending, so it holds one more read (≤ 256 KB). */
const BLOCK_BUF_BYTES = BLOCK_BYTES + 256 * 1024;
/** A block buffer grown past this by a huge read is not kept for the next block. */
const MAX_BLOCK_BUF_BYTES = 4 * BLOCK_BYTES;
const IDLE_FLUSH_MS = 200;
/** The longest line (LineSplitter's default): longer ones are truncated and counted. */
const MAX_LINE_BYTES = 1024 * 1024;
const NL = 0x0a;

export function readLines(
  input: ByteSource,
  opts: LineReaderOptions,
  commit: (parts: EncodedPart[], counts: LineCommitCounts) => Promise<void>,
): LineReader {
  const encoder = opts.encoder;
  const maxOut = Math.max(1, opts.maxBlocksOut);
  const perCommit = Math.min(BLOCKS_PER_COMMIT, maxOut);
  const splitter = new LineSplitter({ maxLineBytes: MAX_LINE_BYTES });
  const totals: LineReadTotals = { lines: 0, parseErrors: 0, bytes: 0, truncatedLines: 0, interrupted: false };
  let block: Buffer | null = null; // bytes [0, pendingBytes) are read and not yet encoded
  let pendingBytes = 0;
  let out = 0; // blocks given to the encoder whose commit step has not finished
  let given = 0; // blocks given to the encoder
  let taken = 0; // blocks the commit chain has started on
  let batch: EncodedPart[] = [];
  let batchBlocks = 0;
  let batchTotals = { lines: 0, parseErrors: 0, truncatedLines: 0 };
  let chain: Promise<void> = Promise.resolve();
  let ended = false;
  let failed: Error | null = null;
  let idle: NodeJS.Timeout | null = null;
  let resolveDone: (t: LineReadTotals) => void = () => {};
  let rejectDone: (e: Error) => void = () => {};
  const done = new Promise<LineReadTotals>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });

  const flowControl = (): void => {
    if (ended) return;
    if (out >= maxOut) input.pause();
    else input.resume();
  };

  const maybeFinish = (): void => {
    if (!ended || out > 0) return;
    if (failed) rejectDone(failed);
    else resolveDone(totals);
  };

  /** A read, copied after the pending bytes (its memory is the source's, reused by its next read). */
  const append = (bytes: Buffer): void => {
    const need = pendingBytes + bytes.length;
    if (!block || block.length < need) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, BLOCK_BUF_BYTES));
      if (block) block.copy(grown, 0, 0, pendingBytes);
      block = grown;
    }
    block.set(bytes, pendingBytes);
    pendingBytes = need;
  };

  /**
   * Encode the pending bytes through their last newline (all of them when `final`); an unterminated
   * rest goes to the splitter, which completes it with the next block's first line.
   */
  const cut = (final: boolean): void => {
    if (failed || (pendingBytes === 0 && !(final && splitter.pendingBytes > 0))) return;
    const all = block ? block.subarray(0, pendingBytes) : Buffer.alloc(0);
    pendingBytes = 0;
    if (block && block.length > MAX_BLOCK_BUF_BYTES) block = null; // encoded below, then let go
    const truncatedBefore = splitter.truncatedLines;
    let start = 0;
    let lead: string | undefined;
    if (splitter.pendingBytes > 0) {
      const firstNl = all.indexOf(NL);
      if (firstNl !== -1) {
        lead = splitter.push(all.subarray(0, firstNl + 1))[0];
        start = firstNl + 1;
      } else {
        splitter.push(all); // the splitter keeps a copy: this memory is reused
        start = all.length;
        if (final) lead = splitter.end() ?? undefined;
      }
    }
    let end = all.length;
    if (!final) {
      const lastNl = all.lastIndexOf(NL);
      end = Math.max(start, lastNl + 1);
      if (end < all.length) splitter.push(all.subarray(end)); // the start of a line not ended yet (copied)
    }
    const truncated = splitter.truncatedLines - truncatedBefore;
    if (end === start && lead === undefined) {
      totals.truncatedLines += truncated;
      return;
    }
    const job = encoder.encodeLines({
      tag: opts.tag,
      format: opts.format,
      timeKey: opts.timeKey,
      maxLineBytes: MAX_LINE_BYTES,
      ...(lead !== undefined ? { texts: [lead] } : {}),
      block: all.subarray(start, end),
      nowSec: Math.floor(Date.now() / 1000),
    });
    out++;
    given++;
    chain = chain
      .then(async () => {
        taken++;
        const r = await job;
        if (failed) return;
        for (const p of r.parts) batch.push(p);
        batchBlocks++;
        batchTotals.lines += r.lines;
        batchTotals.parseErrors += r.parseErrors;
        batchTotals.truncatedLines += r.truncatedLines + truncated;
        // Commit when enough blocks are ready, or when no later block is on its way.
        if (batchBlocks >= perCommit || taken === given) await commitBatch();
      })
      .catch((err: unknown) => {
        failed = failed ?? (err as Error);
        finishInput(false);
      })
      .finally(() => {
        out--;
        flowControl();
        maybeFinish();
      });
  };

  const commitBatch = async (): Promise<void> => {
    const parts = batch;
    const counts = batchTotals;
    batch = [];
    batchBlocks = 0;
    batchTotals = { lines: 0, parseErrors: 0, truncatedLines: 0 };
    if (parts.length > 0) await commit(parts, counts);
    totals.lines += counts.lines;
    totals.parseErrors += counts.parseErrors;
    totals.truncatedLines += counts.truncatedLines;
  };

  const finishInput = (complete: boolean): void => {
    if (ended) return;
    if (idle) clearTimeout(idle);
    input.stop();
    cut(complete); // stopped: the complete lines read so far are committed, a partial last line is not
    ended = true;
    maybeFinish();
  };

  const onRead = (bytes: Buffer): void => {
    totals.bytes += bytes.length;
    append(bytes);
    if (pendingBytes >= BLOCK_BYTES) cut(false);
    flowControl();
    // Bytes read wait IDLE_FLUSH_MS at most: a steady trickle that never fills a block is not held.
    if (idle === null && pendingBytes > 0) {
      idle = setTimeout(() => {
        idle = null;
        cut(false);
        flowControl();
      }, IDLE_FLUSH_MS);
    }
  };

  input.start({
    read: onRead,
    end: () => finishInput(true),
    error: (err) => {
      failed = failed ?? new TdfwdError('IO', `reading stdin failed: ${err.message}`);
      finishInput(false);
    },
  });

  return {
    done,
    stop: () => {
      totals.interrupted = true;
      finishInput(false);
    },
  };
}
