// Line parsers for `tdfwd send` and the tail/stdin inputs: pure functions line → record.
// createParser picks the format's field parser and wraps it with the time rule (time.ts), so every
// record leaves with an integer `time`, and a line that does not parse is kept, never dropped.

import { ConfigError } from '../core/errors.js';
import { parseApache2Fields, parseNginxFields } from './access-log.js';
import { parseJsonFields } from './json.js';
import { parseLtsvFields } from './ltsv.js';
import { compileRegexpParser } from './regexp.js';
import { compileTimeFormat, type TimeFormatReader } from './strptime.js';
import { stampTime } from './time.js';
import { unparsedRecord, type FieldParser, type LineParser, type ParseResult, type ParserOptions } from './types.js';

export type { LineParser, ParseResult, ParserOptions } from './types.js';
export { LineSplitter, type SplitterOptions } from './line-splitter.js';
export { parseTimeValue } from './time.js';

export const FORMATS: readonly string[] = Object.freeze(['none', 'json', 'ltsv', 'nginx', 'apache2', 'regexp:<pattern>']);

const UNKNOWN = 'expected none, json, ltsv, nginx, apache2 or regexp:<pattern>';

function fieldParserFor(format: string, opts: ParserOptions): FieldParser {
  switch (format) {
    case 'json': return parseJsonFields;
    case 'ltsv': return parseLtsvFields;
    case 'nginx': return parseNginxFields;
    case 'apache2': return parseApache2Fields;
    default:
      if (format.startsWith('regexp:')) return compileRegexpParser(format.slice('regexp:'.length), opts.multiline === true ? 's' : '');
      throw new ConfigError('', `unknown format "${format}": ${UNKNOWN}`);
  }
}

/**
 * Builds the parser of one format. Throws ConfigError('', ...) for an unknown format, an invalid
 * regexp or one without named groups, or a bad timeFormat: callers re-wrap it with the flag or key name.
 */
export function createParser(format: string, opts: ParserOptions = {}): LineParser {
  const timeFormat: TimeFormatReader | undefined =
    opts.timeFormat === undefined ? undefined : compileTimeFormat(opts.timeFormat);
  if (format === 'none') {
    const timeKey = opts.timeKey;
    if (timeKey === undefined || timeKey !== 'message') {
      return (line, nowSec) => ({ record: { message: line, time: nowSec } });
    }
    return (line, nowSec) => ({ record: stampTime({ message: line }, timeKey, nowSec, timeFormat) });
  }
  const fields = fieldParserFor(format, opts);
  // fluentd's access-log parsers always take the event time from the line's [time] field.
  const timeKey = opts.timeKey ?? (format === 'nginx' || format === 'apache2' ? 'time' : undefined);
  return (line, nowSec): ParseResult => {
    const rec = fields(line);
    if (typeof rec === 'string') return unparsedRecord(line, rec, nowSec);
    return { record: stampTime(rec, timeKey, nowSec, timeFormat) };
  };
}
