// One syslog message (a datagram or a TCP frame) → the record and the `<facility>.<severity>` part of
// its tag. Pure: the clock is passed in. A message that cannot be read is never dropped: it is kept as
// `{message: <the raw text>, _parse_error: <why>}` (with pri/facility/severity when the PRI was read;
// user.notice otherwise, as RFC 3164 4.3.3 prescribes for a message without PRI).
import type { LogRecord } from '../../core/record.js';
import { SyslogParseError } from './errors.js';
import { DEFAULT_PRI, priority, readPri } from './priority.js';
import { parseRfc3164 } from './rfc3164.js';
import { parseRfc5424 } from './rfc5424.js';

export type SyslogFormat = 'auto' | 'rfc3164' | 'rfc5424';

export interface ParsedMessage {
  /** `auth.info`: appended to the input's tag. */
  tagSuffix: string;
  record: LogRecord;
  /** Set when the message was kept unparsed (the record has `_parse_error`). */
  parseError?: string;
}

/** An RFC 5424 message has a version number right after the PRI: `<165>1 2003-...`. */
const RFC5424_VERSION = /^[1-9]\d{0,2} /;

export function parseSyslog(raw: string, format: SyslogFormat, nowMs: number): ParsedMessage {
  const text = trimEnd(raw);
  const nowSec = Math.floor(nowMs / 1000);
  const head = readPri(text);
  const prio = priority(head?.pri ?? DEFAULT_PRI);
  const tagSuffix = `${prio.facility}.${prio.severity}`;
  try {
    if (head === null) throw new SyslogParseError('the message does not start with a <PRI> like <34>');
    const body = text.slice(head.end);
    const is5424 = format === 'rfc5424' || (format === 'auto' && RFC5424_VERSION.test(body));
    const parsed = is5424 ? parseRfc5424(body) : parseRfc3164(body, nowMs);
    const record: LogRecord = { time: parsed.time ?? nowSec, pri: prio.pri, facility: prio.facility, severity: prio.severity, ...parsed.fields };
    return { tagSuffix, record };
  } catch (err) {
    if (!(err instanceof SyslogParseError)) throw err;
    const record: LogRecord = { time: nowSec, ...(head ? { pri: prio.pri, facility: prio.facility, severity: prio.severity } : {}), message: text, _parse_error: err.message };
    return { tagSuffix, record, parseError: err.message };
  }
}

/** Trailing line ends and NULs that senders add after a datagram or an octet-counted frame. */
function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end -= 1;
  }
  return end === s.length ? s : s.slice(0, end);
}
