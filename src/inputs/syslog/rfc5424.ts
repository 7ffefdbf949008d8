// RFC 5424 after the PRI: `VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP
// STRUCTURED-DATA [SP MSG]`. A NILVALUE ("-") field is left out of the record; structured data
// becomes `sd: { "<SD-ID>": { "<PARAM-NAME>": "<value>" } }`; a UTF-8 BOM before MSG is removed.
import { SyslogParseError } from './errors.js';

export interface Rfc5424Fields {
  /** Unix seconds from the header, or null for a NILVALUE timestamp. */
  time: number | null;
  fields: Record<string, unknown>;
}

const NIL = '-';
/** FULL-DATE "T" FULL-TIME: fractions of up to 6 digits, "Z" or a numeric offset (RFC 5424 6.2.3). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
/** Record field, RFC 5424 name, longest value. */
const HEADER_FIELDS = [
  ['host', 'HOSTNAME', 255],
  ['ident', 'APP-NAME', 48],
  ['pid', 'PROCID', 128],
  ['msgid', 'MSGID', 32],
] as const;

/** `text` starts right after `<PRI>` with the version digit. */
export function parseRfc5424(text: string): Rfc5424Fields {
  const cursor = { text, pos: 0 };
  const version = token(cursor, 'VERSION');
  if (version !== '1') throw new SyslogParseError(`RFC 5424 version ${JSON.stringify(version)} is not supported (only 1)`);
  const stamp = token(cursor, 'TIMESTAMP');
  const time = stamp === NIL ? null : timestamp(stamp);
  const fields: Record<string, unknown> = {};
  for (const [name, what, max] of HEADER_FIELDS) {
    const value = token(cursor, what);
    if (value.length > max) throw new SyslogParseError(`RFC 5424 ${what} is longer than ${max} characters`);
    if (value !== NIL) fields[name] = value;
  }
  const sd = structuredData(cursor);
  if (sd !== null) fields.sd = sd;
  let message = '';
  if (cursor.pos < text.length) {
    if (text[cursor.pos] !== ' ') throw new SyslogParseError('RFC 5424 structured data must be followed by a space before the message');
    message = text.slice(cursor.pos + 1);
    if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  }
  fields.message = message;
  return { time, fields };
}

interface Cursor {
  text: string;
  pos: number;
}

/** The next header field, up to a space (consumed) or the end of the message. */
function token(c: Cursor, what: string): string {
  if (c.pos >= c.text.length) throw new SyslogParseError(`RFC 5424 header ends before ${what}`);
  let end = c.text.indexOf(' ', c.pos);
  if (end < 0) end = c.text.length;
  if (end === c.pos) throw new SyslogParseError(`RFC 5424 ${what} is empty (two spaces in the header)`);
  const value = c.text.slice(c.pos, end);
  c.pos = end + 1;
  return value;
}

function timestamp(stamp: string): number {
  const ms = TIMESTAMP.test(stamp) ? Date.parse(stamp) : NaN;
  if (Number.isNaN(ms)) throw new SyslogParseError(`RFC 5424 timestamp ${JSON.stringify(stamp.slice(0, 40))} is not a date like 2003-10-11T22:14:15.003Z`);
  return Math.floor(ms / 1000);
}

/** NILVALUE, or one or more `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`. */
function structuredData(c: Cursor): Record<string, Record<string, string>> | null {
  const { text } = c;
  if (c.pos >= text.length) throw new SyslogParseError('RFC 5424 header ends before STRUCTURED-DATA');
  if (text[c.pos] === '-' && (c.pos + 1 === text.length || text[c.pos + 1] === ' ')) {
    c.pos += 1;
    return null;
  }
  if (text[c.pos] !== '[') throw new SyslogParseError('RFC 5424 structured data must be "-" or start with "["');
  const sd: Record<string, Record<string, string>> = {};
  while (text[c.pos] === '[') {
    c.pos += 1;
    const id = sdName(c, 'SD-ID');
    const params = sd[id] ?? (sd[id] = {});
    while (text[c.pos] === ' ') {
      c.pos += 1;
      const name = sdName(c, 'PARAM-NAME');
      if (text[c.pos] !== '=' || text[c.pos + 1] !== '"') throw new SyslogParseError(`RFC 5424 structured data: ${name} must be followed by ="value"`);
      c.pos += 2;
      params[name] = paramValue(c);
    }
    if (text[c.pos] !== ']') throw new SyslogParseError(`RFC 5424 structured data element ${id} is not closed with "]"`);
    c.pos += 1;
  }
  return sd;
}

/** SD-NAME: 1 to 32 printable ASCII characters except '=', ' ', ']' and '"'. */
function sdName(c: Cursor, what: string): string {
  const start = c.pos;
  while (c.pos < c.text.length) {
    const ch = c.text.charCodeAt(c.pos);
    if (ch <= 32 || ch >= 127 || ch === 0x3d || ch === 0x5d || ch === 0x22) break;
    c.pos += 1;
  }
  const name = c.text.slice(start, c.pos);
  if (name.length === 0 || name.length > 32) throw new SyslogParseError(`RFC 5424 structured data: ${what} must be 1 to 32 printable characters`);
  return name;
}

/** A quoted value up to the unescaped '"'; `\"`, `\\` and `\]` stand for the character itself. */
function paramValue(c: Cursor): string {
  const { text } = c;
  let out = '';
  let from = c.pos;
  for (let i = c.pos; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) {
      out += text.slice(from, i);
      from = i + 1;
      i += 1;
    } else if (ch === '"') {
      out += text.slice(from, i);
      c.pos = i + 1;
      return out;
    }
  }
  throw new SyslogParseError('RFC 5424 structured data: a parameter value is not closed with \'"\'');
}
