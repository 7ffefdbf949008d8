// The time rule of PRODUCT.md: every record leaves a parser with an integer `time` (unix seconds).

import type { LogRecord } from '../core/record.js';
import { parseOffsetMinutes, type TimeFormatReader } from './strptime.js';

/** Above this a number is taken as milliseconds (1e11 s is the year 5138), above 1e14 µs, above 1e17 ns. */
const MS_THRESHOLD = 1e11;

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
// Common Log Format time, as nginx and apache write it: 10/Oct/2000:13:55:36 -0700
const CLF = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s+([+-]\d{2}:?\d{2}|Z))?$/;
// Only strings shaped like ISO 8601 or RFC 2822 go to Date.parse, whose legacy fallback accepts junk.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const RFC2822 = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?$/;
const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

function fromNumber(n: number): number {
  const abs = Math.abs(n);
  if (abs > 1e17) return Math.floor(n / 1e9);
  if (abs > 1e14) return Math.floor(n / 1e6);
  if (abs > MS_THRESHOLD) return Math.floor(n / 1000);
  return Math.floor(n);
}

// Access-log lines in the same second repeat the same time string: a one-entry cache skips the work.
let lastClf = '';
let lastClfSec = 0;

/** Parses `10/Oct/2000:13:55:36 -0700` (no offset → UTC); null when the string is not in that form. */
export function parseClfTime(s: string): number | null {
  if (s === lastClf) return lastClfSec;
  const m = CLF.exec(s);
  if (m === null) return null;
  const month = MONTHS[(m[2] as string).toLowerCase()];
  if (month === undefined) return null;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const sec = Math.floor(utc / 1000) - (m[7] === undefined ? 0 : parseOffsetMinutes(m[7]) * 60);
  lastClf = s;
  lastClfSec = sec;
  return sec;
}

/** A time value → unix seconds, or an error sentence saying why it is not a time. */
export function parseTimeValue(value: unknown, format?: TimeFormatReader): number | string {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? fromNumber(value) : `time value ${String(value)} is not a finite number`;
  }
  if (typeof value !== 'string') {
    return `time value of type ${value === null ? 'null' : typeof value} is not a number or a date string`;
  }
  if (format !== undefined) return format(value);
  if (NUMERIC.test(value)) return fromNumber(Number(value));
  const s = value.trim();
  const clf = parseClfTime(s);
  if (clf !== null) return clf;
  const iso = ISO.test(s);
  if (iso || RFC2822.test(s)) {
    // ISO 8601 allows a comma before the fraction; Date.parse does not.
    const ms = Date.parse(iso ? s.replace(',', '.') : s);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return `time "${value}" is not a unix time or a date (ISO 8601, RFC 2822 or 10/Oct/2000:13:55:36 -0700)`;
}

/**
 * Gives `rec` its integer `time`, in place, and returns it as a LogRecord.
 * - timeKey given and present (not undefined/null): its parsed value. An unparseable value gives nowSec
 *   plus `_time_error` (the line itself still parsed).
 * - otherwise nowSec. Choice: a record's own `time` field that is already an integer is kept as the
 *   time (it is what the producer meant, and re-stamping it would lose it); any other own `time`
 *   value (a string, a float, an object) is kept under `_time` so nothing is lost, and `time` = nowSec.
 * Whenever `time` is overwritten from another key, a previous non-integer own `time` moves to `_time`.
 * The time key's own field is kept (td-agent's `keep_time_key true`): nothing the producer wrote is lost.
 */
export function stampTime(
  rec: Record<string, unknown>,
  timeKey: string | undefined,
  nowSec: number,
  format?: TimeFormatReader,
): LogRecord {
  const own = rec.time;
  if (timeKey !== undefined) {
    const v = rec[timeKey];
    if (v !== undefined && v !== null) {
      const t = parseTimeValue(v, format);
      if (typeof t === 'number') {
        if (timeKey !== 'time' && own !== undefined && own !== t) rec._time = own;
        rec.time = t;
        return rec as LogRecord;
      }
      rec._time_error = t;
      if (own !== undefined) rec._time = own;
      rec.time = nowSec;
      return rec as LogRecord;
    }
  }
  if (typeof own === 'number' && Number.isInteger(own)) return rec as LogRecord;
  if (own !== undefined) rec._time = own;
  rec.time = nowSec;
  return rec as LogRecord;
}
