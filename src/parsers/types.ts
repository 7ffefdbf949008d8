// The shapes shared by every line parser. Parsers are pure functions: a line (and "now") in, a record out.

import type { LogRecord } from '../core/record.js';

/** `error` is set when the line did not parse; the record is then `{message: line, _parse_error: error, time}`. */
export interface ParseResult {
  record: LogRecord;
  error?: string;
}

export type LineParser = (line: string, nowSec: number) => ParseResult;

export interface ParserOptions {
  /** Field whose value gives the record's `time` (number, numeric string or date string). */
  timeKey?: string;
  /** strptime-style format for the time key's value (%Y %m %d %H %M %S %z ...); else formats are guessed. */
  timeFormat?: string;
  /**
   * Lines are joined multi-line events (tail's multiline_start): `regexp:` patterns are compiled with
   * the `s` flag so `.` crosses the newlines, as fluentd's multiline parser does (Regexp::MULTILINE).
   */
  multiline?: boolean;
}

/** A parser of one format, before the time rule is applied: a plain field map, or an error sentence. */
export type FieldParser = (line: string) => Record<string, unknown> | string;

/** The record kept for a line that did not parse: never dropped, the reason kept beside it. */
export function unparsedRecord(line: string, error: string, nowSec: number): ParseResult {
  return { record: { message: line, _parse_error: error, time: nowSec }, error };
}

/** Sets a field even when its name is `__proto__` (a plain assignment would change the prototype). */
export function setField(rec: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    rec[key] = value;
  }
}
