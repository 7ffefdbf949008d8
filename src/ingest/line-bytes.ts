// Lines of a block → records in a PartBuilder, for the encoder (block-encoder.ts).
// json lines (with or without a time key) and none lines go from their bytes straight to msgpack
// through the transcoder (codec/json-transcode.ts); a line it refuses, and every line of the other
// formats, is decoded to a string and parsed. Line rules are LineSplitter's: "\n" ends a line, a "\r" before it
// is dropped, blank lines carry nothing, a line longer than maxLineBytes is cut on a UTF-8 boundary.
import {
  jsonTranscoderWithTimeKey, maxTranscodedBytes, transcodeJsonLine, transcodeNoneLine, type LineTranscoder, type TimeParser,
} from '../codec/json-transcode.js';
import { parseTimeValue, type LineParser } from '../parsers/index.js';
import { utf8Cut } from '../parsers/line-splitter.js';
import type { PartBuilder } from './part-builder.js';

const NL = 10;
const CR = 13;

type Transcoder = LineTranscoder;

/** Where one job's lines go, and what it counts. */
export interface LineJob {
  out: PartBuilder;
  parse: LineParser;
  fast: Transcoder | null;
  nowSec: number;
  maxLineBytes: number;
  lines: number;
  parseErrors: number;
  truncatedLines: number;
}

/** parseTimeValue with a one-entry memory: the lines of one second repeat their time string. */
function cachedTimeParser(): TimeParser {
  let lastText: string | null = null;
  let lastTime: number | string = 0;
  return (value) => {
    if (typeof value === 'number') return parseTimeValue(value);
    if (value !== lastText) {
      lastTime = parseTimeValue(value);
      lastText = value;
    }
    return lastTime;
  };
}

/** The byte-level fast path of a format, when it has one: json, and none (unless its time key is `message`). */
export function transcoderFor(format: string, timeKey: string | undefined): Transcoder | null {
  if (format === 'json') return timeKey === undefined ? transcodeJsonLine : jsonTranscoderWithTimeKey(timeKey, cachedTimeParser());
  if (format === 'none') return timeKey === 'message' ? null : transcodeNoneLine;
  return null;
}

/** One line already cut and decoded (a line that began in an earlier block, or the input's last). */
export function addLine(job: LineJob, line: string): void {
  if (line.length === 0) return; // a blank line carries nothing
  const r = job.parse(line, job.nowSec);
  if (r.error !== undefined) job.parseErrors++;
  job.out.add(r.record);
  job.lines++;
}

/** The lines of block[start, end): each ends with "\n", except possibly the last. */
export function addLines(job: LineJob, block: Buffer, start: number, end: number): void {
  const out = job.out;
  const max = job.maxLineBytes;
  while (start < end) {
    let nl = block.indexOf(NL, start);
    if (nl === -1 || nl > end) nl = end;
    let stop = nl;
    if (stop > start && block[stop - 1] === CR) stop--;
    if (stop - start > max) {
      job.truncatedLines++;
      addLine(job, block.toString('utf8', start, start + utf8Cut(block.subarray(start, nl), max)));
    } else if (stop > start) {
      let written = -1;
      if (job.fast) {
        out.reserve(maxTranscodedBytes(stop - start));
        written = job.fast(block, start, stop, out.buf, out.bytes, job.nowSec);
      }
      if (written >= 0) {
        out.bytes = written;
        out.added();
        job.lines++;
      } else addLine(job, block.toString('utf8', start, stop));
    }
    start = nl + 1;
  }
}
