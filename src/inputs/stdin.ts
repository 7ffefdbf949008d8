// The stdin input: lines from standard input (stdin-reader.ts): cut into blocks of whole lines (1 MiB,
// or what arrived within 200 ms), encoded by the encoder it is given and committed block by block
// while reading goes on, so chunks seal by size and are delivered while stdin is still busy.
// Backpressure is natural: reading pauses while a few blocks wait for their commit (a full buffer with
// `block` holds them). The daemon runs it as one of its inputs (at end of input it is finished, the
// daemon keeps running); `tdfwd send` runs it once, alone, and reports its totals.
//
// States: created → reading → ended (end of input, stop, or a failure).
import type { Readable } from 'node:stream';
import { stdinSource, streamSource } from './byte-source.js';
import type { StdinInputConfig } from '../config/types.js';
import type { Encoder } from '../core/encoder.js';
import type { EncodedPart } from '../core/sink.js';
import { readLines, type LineCommitCounts, type LineReader, type LineReadTotals } from './stdin-reader.js';
import type { Input, InputContext } from './types.js';

export type { LineReadTotals as StdinTotals } from './stdin-reader.js';

/**
 * Blocks read and not yet committed, as the tail input keeps two: −5 to −9 MB of peak RSS against
 * six, at the same speed (bench:daemon, stdin row).
 */
const BLOCKS_OUT = 2;

export interface StdinInputContext extends InputContext {
  /** Parses, packs and compresses the lines (the daemon's, shared by its inputs; or send's). */
  encoder: Encoder;
  /** Blocks read and not yet committed at most (default BLOCKS_OUT). */
  blocksOut?: number;
}

export class StdinInput implements Input {
  readonly name: string;
  readonly #cfg: StdinInputConfig;
  readonly #ctx: StdinInputContext;
  /** Another stream than standard input (tests); standard input is read through stdinSource(). */
  readonly #stream: Readable | undefined;
  /** Aborts a commit waiting on a full buffer when the input stops. */
  readonly #abort = new AbortController();
  #reader: LineReader | null = null;
  #ended: Promise<LineReadTotals> | null = null;
  #done: Promise<void> | null = null;
  /** Lines committed, and the records their parts hold. */
  lines = 0;
  parseErrors = 0;
  records = 0;

  constructor(name: string, cfg: StdinInputConfig, ctx: StdinInputContext, stream?: Readable) {
    this.name = name;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#stream = stream;
  }

  /** Resolves with the totals once every line read is committed; rejects when reading or a commit failed. */
  get ended(): Promise<LineReadTotals> {
    if (!this.#ended) throw new Error('the stdin input was not started');
    return this.#ended;
  }

  async start(): Promise<void> {
    if (this.#reader) return;
    const { encoder, blocksOut } = this.#ctx;
    this.#reader = readLines(
      this.#stream ? streamSource(this.#stream) : stdinSource(),
      { tag: this.#cfg.tag, format: this.#cfg.format, timeKey: this.#cfg.timeKey, encoder, maxBlocksOut: blocksOut ?? BLOCKS_OUT },
      (parts, counts) => this.#commit(parts, counts),
    );
    this.#ended = this.#reader.done;
    this.#done = this.#ended.then(
      (totals) => {
        if (totals.truncatedLines > 0) this.#ctx.log('warn', `${this.name}: ${totals.truncatedLines} lines longer than 1 MiB were truncated`);
        if (!totals.interrupted) this.#ctx.log('info', `${this.name}: end of stdin after ${this.lines} lines`);
      },
      (err: Error) => this.#ctx.log('error', `${this.name}: reading stdin failed: ${err.message}`),
    );
  }

  /** Stop reading; the complete lines already read are still committed, waiting for buffer room as long as it takes. */
  stopReading(): void {
    this.#reader?.stop();
  }

  /** Stop reading; the complete lines already read are committed (unless the buffer is full). */
  async stop(): Promise<void> {
    if (!this.#reader) return;
    this.#reader.stop();
    this.#abort.abort();
    await this.#done;
  }

  async #commit(parts: EncodedPart[], counts: LineCommitCounts): Promise<void> {
    await this.#ctx.sink.writeParts(parts, [], this.#abort.signal);
    this.lines += counts.lines;
    this.parseErrors += counts.parseErrors;
    for (const p of parts) this.records += p.records;
    if (counts.parseErrors > 0) this.#ctx.onParseErrors?.(counts.parseErrors);
  }
}
