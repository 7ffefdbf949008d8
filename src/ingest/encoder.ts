// The encoder every line and forward input uses (core/encoder.ts): the daemon owns one for its
// lifetime (tail, stdin, forward) and `send` one of its own. A job is parsed (or its entries copied)
// and packed into parts on the calling thread (the transcoder makes that ~1 µs a line), each part goes
// through the BlockFilter when one is active, and is then compressed into a deflate segment on libuv's
// thread pool (node:zlib), where the CPU-heavy half of the work runs in parallel with reading and
// committing. A worker thread for the first half cost ~25 MB of RSS for the same speed (bench/README.md).
//
// Owns the BlockEncoder, the part slabs (part-slabs.ts: a job's raw parts are given back once all of
// its compressions settled) and the tail of the chain of answers: jobs are answered in the order given.
// Bounded: a job is encoded when given; only its compression waits, and each caller keeps only a few
// jobs in flight (tail: two blocks per file; forward: one connection's unacked frames; stdin: a few blocks).
//
// States: open → closed (later jobs are rejected).
import { MalformedFrameError } from '../codec/forward-scan.js';
import { deflateSegment } from '../codec/gzip-segments.js';
import { TdfwdError } from '../core/errors.js';
import type { Encoder, EntriesJob, EntriesResult, LinesJob, LinesResult } from '../core/encoder.js';
import type { BlockFilter } from '../core/record-filter.js';
import type { EncodedPart } from '../core/sink.js';
import { BlockEncoder } from './block-encoder.js';
import type { BuiltPart } from './part-builder.js';
import { PartSlabs } from './part-slabs.js';

/** Largest part in bytes, and in records (the buffer writer's part limits). */
export interface PartLimits {
  bytes: number;
  records: number;
}

export interface EncoderOptions {
  /** Read at every job: a reload may change the buffer's chunk limits. */
  limits: PartLimits | (() => PartLimits);
  /**
   * Rewrites each part's records before compression (the record filters); skipped while inactive. A
   * function is read at every job: a reload may bring other filters.
   */
  filter?: BlockFilter | (() => BlockFilter | null | undefined);
}

export class PartEncoder implements Encoder {
  readonly #limits: () => PartLimits;
  readonly #filter: () => BlockFilter | null | undefined;
  readonly #slabs = new PartSlabs();
  readonly #copyToSlab = (bytes: Uint8Array): Buffer => this.#slabs.copy(bytes);
  #encoder: BlockEncoder | null = null;
  #encoderLimits: PartLimits = { bytes: 0, records: 0 };
  /** Settles when the last job given has been answered. */
  #last: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(opts: EncoderOptions) {
    const limits = opts.limits;
    this.#limits = typeof limits === 'function' ? limits : () => limits;
    const filter = opts.filter;
    this.#filter = typeof filter === 'function' ? filter : () => filter;
  }

  encodeLines(job: LinesJob): Promise<LinesResult> {
    return this.#run('lines', job.tag, () => {
      const { parts, lines, parseErrors, truncatedLines } = this.#blockEncoder().lines(job);
      return { parts, result: (done: EncodedPart[]) => ({ parts: done, lines, parseErrors, truncatedLines }) };
    });
  }

  encodeEntries(job: EntriesJob): Promise<EntriesResult> {
    return this.#run('forward entries', job.tag, () => {
      const { parts, records, skipped } = this.#blockEncoder().entries(job.entries, job.nowSec);
      return { parts, result: (done: EncodedPart[]) => ({ parts: done, records, skipped }) };
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

  /** The block encoder for the current part limits (a new one when they changed). */
  #blockEncoder(): BlockEncoder {
    const { bytes, records } = this.#limits();
    if (!this.#encoder || bytes !== this.#encoderLimits.bytes || records !== this.#encoderLimits.records) {
      this.#encoder = new BlockEncoder(Math.max(1024, bytes), Math.max(1, records), this.#slabs);
      this.#encoderLimits = { bytes, records };
    }
    return this.#encoder;
  }

  /** Encodes and filters now (the job's bytes are not read after this returns); compresses, then answers in order. */
  #run<R>(what: string, tag: string, encode: () => { parts: BuiltPart[]; result: (parts: EncodedPart[]) => R }): Promise<R> {
    if (this.#closed) return Promise.reject(new TdfwdError('IO', 'the encoder is closed; the daemon is stopping'));
    let answer: Promise<R>;
    try {
      const { parts, result } = encode();
      const filter = this.#filter();
      const kept = filter?.active ? filtered(filter, tag, parts, this.#copyToSlab) : parts;
      const compressions = kept.map((p) => compress(tag, p));
      // The zlib threads read the raw parts (or a filter's views of them) until every compression settled.
      void Promise.allSettled(compressions).then(() => {
        for (const p of parts) this.#slabs.give(p.data);
        if (kept !== parts) for (const p of kept) this.#slabs.give(p.data); // a filter's rewritten blocks
      });
      const compressed = Promise.all(compressions);
      const before = this.#last;
      answer = compressed.then(async (done) => {
        await before.catch(() => undefined);
        return result(done);
      });
    } catch (err) {
      // Malformed entries are the client's fault, not ours: the error says so by its class.
      const message = `encoding ${what} failed: ${(err as Error).message}`;
      answer = Promise.reject(err instanceof MalformedFrameError ? new MalformedFrameError(message) : new TdfwdError('IO', message));
    }
    this.#last = answer.catch(() => undefined);
    return answer;
  }
}

/** The parts as the filter leaves them; a part it empties is dropped. */
function filtered(filter: BlockFilter, tag: string, parts: readonly BuiltPart[], copy: (bytes: Uint8Array) => Buffer): BuiltPart[] {
  const kept: BuiltPart[] = [];
  for (const part of parts) {
    const r = filter.applyBlock(tag, part.data, part.records, copy);
    if (r.records > 0) kept.push({ data: r.entries, records: r.records });
  }
  return kept;
}

async function compress(tag: string, part: BuiltPart): Promise<EncodedPart> {
  return { tag, records: part.records, ...(await deflateSegment(part.data)) };
}
