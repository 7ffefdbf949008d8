// A received message (datagram or TCP frame) → the event the buffer stores, tagged
// `<tag>.<facility>.<severity>`. A truncated message keeps what was parsed and says so in `_parse_error`.
import type { LogEvent } from '../../core/record.js';
import { parseSyslog, type SyslogFormat } from './parse.js';

export interface MessageSettings {
  tag: string;
  format: SyslogFormat;
  maxMessageSize: number;
}

export function messageEvent(data: Buffer, truncatedFrom: number | undefined, s: MessageSettings, nowMs: number): { event: LogEvent; parseError: boolean } {
  const parsed = parseSyslog(data.toString('utf8'), s.format, nowMs);
  const record = parsed.record;
  let parseError = parsed.parseError !== undefined;
  if (truncatedFrom !== undefined) {
    const why = `the message was ${truncatedFrom} bytes, longer than max_message_size (${s.maxMessageSize}): truncated`;
    record._parse_error = parseError ? `${why}; ${String(record._parse_error)}` : why;
    parseError = true;
  }
  return { event: { tag: `${s.tag}.${parsed.tagSuffix}`, record }, parseError };
}
