// RFC 3164 (BSD syslog) after the PRI: `Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`. The timestamp has no
// year and no zone: it is read as local time in the current year, and a date more than a day in the
// future is taken as last year's (rsyslog's rule: "Dec 31 23:59:59" received on Jan 1). Two common
// variations are accepted: an RFC 3339 timestamp instead (rsyslog's forward formats), and no HOSTNAME
// (messages written to /dev/log: `Oct 11 22:14:15 sshd[42]: ...`). Without `TAG:` the whole rest is the
// message.
import { SyslogParseError } from './errors.js';

export interface Rfc3164Fields {
  /** Unix seconds from the header. */
  time: number;
  fields: Record<string, unknown>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIMESTAMP = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) /;
const RFC3339_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;
/** TAG (fluentd's ident: no space, ':' or '['), an optional `[PID]`, then ':'. */
const TAG = /^([^\s:[\]]{1,128})(?:\[([^\]\s]{1,128})\])?:(?: |$)/;
const DAY_MS = 86_400_000;

/** `text` starts right after `<PRI>`; `nowMs` resolves the year. */
export function parseRfc3164(text: string, nowMs: number): Rfc3164Fields {
  const stamp = readTimestamp(text, nowMs);
  if (stamp === null) {
    throw new SyslogParseError('no RFC 3164 timestamp (like "Oct 11 22:14:15") or RFC 5424 version after the <PRI>');
  }
  const fields: Record<string, unknown> = {};
  let rest = text.slice(stamp.end);
  const hostEnd = rest.indexOf(' ');
  const first = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
  // A first word that is already `TAG:` or `TAG[PID]:` means the sender left HOSTNAME out.
  if (first !== '' && !TAG.test(`${first} `)) {
    fields.host = first;
    rest = hostEnd < 0 ? '' : rest.slice(hostEnd + 1);
  }
  const tag = TAG.exec(rest);
  if (tag) {
    fields.ident = tag[1];
    if (tag[2] !== undefined) fields.pid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  fields.message = rest;
  return { time: stamp.time, fields };
}

function readTimestamp(text: string, nowMs: number): { time: number; end: number } | null {
  const bsd = BSD_TIMESTAMP.exec(text);
  if (bsd) {
    const time = bsdTime(bsd, nowMs);
    return time === null ? null : { time, end: bsd[0].length };
  }
  const iso = RFC3339_TIMESTAMP.exec(text);
  if (iso) {
    const ms = Date.parse(iso[1] as string);
    return Number.isNaN(ms) ? null : { time: Math.floor(ms / 1000), end: iso[0].length };
  }
  return null;
}

function bsdTime(m: RegExpExecArray, nowMs: number): number | null {
  const month = MONTHS.indexOf(m[1] as string);
  const day = Number((m[2] as string).trim());
  const [h, min, s] = [Number(m[3]), Number(m[4]), Number(m[5])];
  if (month < 0 || day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return null;
  let year = new Date(nowMs).getFullYear();
  let date = new Date(year, month, day, h, min, s);
  if (date.getTime() > nowMs + DAY_MS) {
    year -= 1;
    date = new Date(year, month, day, h, min, s);
  }
  // Feb 30 and the like roll over into the next month: not a date.
  if (date.getMonth() !== month) return null;
  return Math.floor(date.getTime() / 1000);
}
