// BlockEncoder: one encoder job — lines (tail, stdin, send) or forward entries → records packed into
// parts within the buffer's part limits. The synchronous half of the encoder (encoder.ts): parts
// leave raw msgpack, to be filtered and compressed there.
//
// Owns one PartBuilder (its buffer reused for every job) and the parsers it has built. Not re-entrant:
// one job at a time (the transcoder keeps module state, see codec/json-transcode.ts).
import { decodeOne } from '../codec/msgpack.js';
import { copyRecordWithTime, ENTRY_COPY_OVERHEAD } from '../codec/forward-entry-copy.js';
import { eventRecord } from '../codec/forward-frame.js';
import { Cursor, MalformedFrameError } from '../codec/forward-scan.js';
import { createParser, type LineParser } from '../parsers/index.js';
import { addLine, addLines, transcoderFor, type LineJob } from './line-bytes.js';
import { PartBuilder, type BuiltPart } from './part-builder.js';
import type { PartSlabs } from './part-slabs.js';
import type { LinesJob } from '../core/encoder.js';

export interface LinesOutput {
  parts: BuiltPart[];
  lines: number;
  parseErrors: number;
  truncatedLines: number;
}

export interface EntriesOutput {
  parts: BuiltPart[];
  records: number;
  /** Entries with a nil record: skipped, as fluentd does. */
  skipped: number;
}

export class BlockEncoder {
  readonly #builder: PartBuilder;
  readonly #parsers = new Map<string, LineParser>();

  constructor(partBytes: number, partRecords: number, slabs?: PartSlabs) {
    this.#builder = new PartBuilder(partBytes, partRecords, slabs);
  }

  lines(m: Omit<LinesJob, 'tag'>): LinesOutput {
    const job: LineJob = {
      out: this.#builder.begin(),
      parse: this.#parserFor(m.format, m.timeKey, m.multiline === true),
      fast: m.multiline === true ? null : transcoderFor(m.format, m.timeKey),
      nowSec: m.nowSec,
      maxLineBytes: m.maxLineBytes,
      lines: 0,
      parseErrors: 0,
      truncatedLines: 0,
    };
    for (const text of m.texts ?? []) addLine(job, text);
    if (m.block) addLines(job, m.block, 0, m.block.length);
    this.#builder.cut();
    const { lines, parseErrors, truncatedLines } = job;
    return { parts: this.#builder.parts, lines, parseErrors, truncatedLines };
  }

  /**
   * PackedForward entries → records with an integer `time`: copied byte for byte where the record is
   * plain (codec/forward-entry-copy.ts), else decoded exactly as the forward input's own path does.
   */
  entries(raw: Buffer, nowSec: number): EntriesOutput {
    const out = this.#builder.begin();
    const c = new Cursor(raw, 0, raw.length);
    let records = 0;
    let skipped = 0;
    while (!c.done) {
      const n = c.arrayHeader();
      if (n === null || n < 2) throw new MalformedFrameError('an event entry must be an array [time, record]');
      const time = c.time() ?? nowSec;
      const [s, e] = c.skip();
      for (let k = 2; k < n; k++) c.skip();
      out.reserve(e - s + ENTRY_COPY_OVERHEAD);
      const end = copyRecordWithTime(raw, s, e, time, out.buf, out.bytes);
      if (end >= 0) {
        out.bytes = end;
        out.added();
        records++;
        continue;
      }
      const record = eventRecord(time, decodeOne(raw.subarray(s, e)));
      if (record === null) skipped++;
      else {
        out.add(record);
        records++;
      }
    }
    out.cut();
    return { parts: out.parts, records, skipped };
  }

  #parserFor(format: string, timeKey: string | undefined, multiline: boolean): LineParser {
    const key = `${format}\u0000${timeKey ?? ''}\u0000${multiline ? 'm' : ''}`;
    let p = this.#parsers.get(key);
    if (!p) {
      p = createParser(format, { ...(timeKey !== undefined ? { timeKey } : {}), ...(multiline ? { multiline } : {}) });
      this.#parsers.set(key, p);
    }
    return p;
  }
}
