// The stdin input inside the daemon: lines from the daemon's standard input, read as `send` reads
// them (ingest/line-reader.ts): cut into blocks of whole lines (1 MiB, or what arrived within 200 ms),
// encoded by the daemon's shared encoder and committed block by block while reading goes on, so
// chunks seal by size and are delivered while stdin is still busy. Backpressure is natural: reading
// pauses while a few blocks wait for their commit (a full buffer with `block` holds them).
// At end of input the input is finished (the daemon keeps running its other inputs).
//
// States: created → reading → ended (end of input, stop, or a failure).
import type { Readable } from 'node:stream';
import type { StdinInputConfig } from '../config/types.js';
import type { LineEncoder } from '../core/line-encoder.js';
import { readLines, type LineReader } from '../ingest/line-reader.js';
import type { Input, InputContext } from './types.js';

/**
 * Blocks read and not yet committed, as the tail input keeps two: −5 to −9 MB of peak RSS against
 * send's six, at the same speed (bench:daemon, stdin row).
 */
const BLOCKS_OUT = 2;

export interface StdinInputContext extends InputContext {
  /** The daemon's line encoder (shared by its inputs); without it the reader makes its own. */
  encoder?: LineEncoder;
  /** Part limits in bytes and records (the buffer writer's). */
  partLimits: { bytes: number; records: number };
}

export class StdinInput implements Input {
  readonly name: string;
  readonly #cfg: StdinInputConfig;
  readonly #ctx: StdinInputContext;
  readonly #stream: Readable;
  /** Aborts a commit waiting on a full buffer when the input stops. */
  readonly #abort = new AbortController();
  #reader: LineReader | null = null;
  #done: Promise<void> | null = null;
  lines = 0;
  parseErrors = 0;

  constructor(name: string, cfg: StdinInputConfig, ctx: StdinInputContext, stream: Readable = process.stdin) {
    this.name = name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#stream = stream;
  }

  async start(): Promise<void> {
    if (this.#reader) return;
    const { sink, encoder, partLimits } = this.#ctx;
    this.#reader = readLines(
      this.#stream,
      {
        tag: this.#cfg.tag,
        format: this.#cfg.format,
        ...(this.#cfg.timeKey !== undefined ? { timeKey: this.#cfg.timeKey } : {}),
        partBytes: partLimits.bytes,
        partRecords: partLimits.records,
        ...(encoder ? { encoder } : {}),
        maxBlocksOut: BLOCKS_OUT,
      },
      async (parts, counts) => {
        await sink.writeParts(parts, [], this.#abort.signal);
        this.lines += counts.lines;
        this.parseErrors += counts.parseErrors;
        if (counts.parseErrors > 0) this.#ctx.onParseErrors?.(counts.parseErrors);
      },
    );
    this.#done = this.#reader.done.then(
      (totals) => {
        if (totals.truncatedLines > 0) this.#ctx.log('warn', `${this.name}: ${totals.truncatedLines} lines longer than 1 MiB were truncated`);
        if (!totals.interrupted) this.#ctx.log('info', `${this.name}: end of stdin after ${this.lines} lines`);
      },
      (err: Error) => this.#ctx.log('error', `${this.name}: reading stdin failed: ${err.message}`),
    );
  }

  /** Stop reading; the complete lines already read are committed (unless the buffer is full). */
  async stop(): Promise<void> {
    if (!this.#reader) return;
    this.#reader.stop();
    this.#abort.abort();
    await this.#done;
  }
}
