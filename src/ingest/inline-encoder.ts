// The line encoder without a thread of its own, for the daemon (blocks of tail lines, PackedForward
// entries) and `send` (blocks of stdin lines): they are parsed and encoded on the main thread (the transcoder makes that ~1 µs a line), and each part is
// compressed into a deflate segment on libuv's thread pool (node:zlib), where the CPU-heavy half of
// the work runs in parallel with reading and committing. A second V8 isolate (a worker thread) cost
// ~25 MB of RSS for the same speed (bench/README.md).
//
// Owns the BlockEncoder and the tail of the chain of answers: jobs are answered in the order given.
// Bounded: a job is encoded when given; only its compression waits, and each caller keeps only a few
// jobs in flight (tail: two blocks; forward: one connection's unacked frames; send: six blocks).
//
// States: open → closed (later jobs are rejected).
import { deflateSegment } from '../codec/gzip-segments.js';
import { TdfwdError } from '../core/errors.js';
import type { EncodeJob, EncodeResult, EntriesEncoder, EntriesJob, EntriesResult, LineEncoder } from '../core/line-encoder.js';
import type { EncodedPart } from '../core/sink.js';
import { BlockEncoder } from './block-encoder.js';
import type { BuiltPart } from './part-builder.js';

/** Largest part in bytes, and in records (the buffer writer's part limits). */
export interface PartLimits {
  bytes: number;
  records: number;
}

export class InlineEncoder implements LineEncoder, EntriesEncoder {
  /** Read at every job: a reload may change the buffer's chunk limits. */
  readonly #limits: () => PartLimits;
  #encoder: BlockEncoder | null = null;
  #encoderLimits: PartLimits = { bytes: 0, records: 0 };
  /** Settles when the last job given has been answered. */
  #last: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(limits: PartLimits | (() => PartLimits)) {
    this.#limits = typeof limits === 'function' ? limits : () => limits;
  }

  /** The block encoder for the current part limits (a new one when they changed). */
  #blockEncoder(): BlockEncoder {
    const { bytes, records } = this.#limits();
    if (!this.#encoder || bytes !== this.#encoderLimits.bytes || records !== this.#encoderLimits.records) {
      this.#encoder = new BlockEncoder(Math.max(1024, bytes), Math.max(1, records));
      this.#encoderLimits = { bytes, records };
    }
    return this.#encoder;
  }

  encodeLines(job: EncodeJob): Promise<EncodeResult> {
    return this.#run('lines', () => {
      const r = this.#blockEncoder().lines(job);
      const { lines, parseErrors, truncatedLines } = r;
      // The block is encoded: its memory (when it has its own) goes back to be read into again.
      const own = job.block.buffer instanceof ArrayBuffer && job.block.buffer.byteLength > Buffer.poolSize;
      const spare = own ? { spare: Buffer.from(job.block.buffer) } : {};
      return { parts: r.parts, tag: job.tag, result: (parts: EncodedPart[]) => ({ parts, lines, parseErrors, truncatedLines, ...spare }) };
    });
  }

  encodeEntries(job: EntriesJob): Promise<EntriesResult> {
    return this.#run('forward entries', () => {
      const r = this.#blockEncoder().entries(job.entries, job.nowSec);
      const { records, skipped } = r;
      return { parts: r.parts, tag: job.tag, result: (parts: EncodedPart[]) => ({ parts, records, skipped }) };
    });
  }

  /** Later jobs are rejected; jobs given before are still answered. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#last.then(
      () => undefined,
      () => undefined,
    );
  }

  #run<R>(what: string, encode: () => { parts: BuiltPart[]; tag: string; result: (parts: EncodedPart[]) => R }): Promise<R> {
    if (this.#closed) return Promise.reject(new TdfwdError('IO', 'the line encoder is closed; the daemon is stopping'));
    let answer: Promise<R>;
    try {
      const { parts, tag, result } = encode();
      const compressed = Promise.all(parts.map((p) => compress(tag, p)));
      const before = this.#last;
      answer = compressed.then(async (done) => {
        await before.catch(() => undefined);
        return result(done);
      });
    } catch (err) {
      answer = Promise.reject(new TdfwdError('IO', `encoding ${what} failed: ${(err as Error).message}`));
    }
    this.#last = answer.catch(() => undefined);
    return answer;
  }
}

async function compress(tag: string, part: BuiltPart): Promise<EncodedPart> {
  return { tag, records: part.records, ...(await deflateSegment(part.data)) };
}
