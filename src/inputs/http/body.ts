// An HTTP input request → records, as fluentd's in_http reads them. Pure functions.
//
//   application/json (or none)       a JSON object or an array of objects; several lines → NDJSON
//   application/x-ndjson             one JSON object per line
//   application/x-www-form-urlencoded  json=<object|array> or msgpack=<bytes>
//   application/msgpack              a msgpack map, an array of maps, or concatenated maps
//
// Every record leaves with an integer `time`: the `time` parameter, else the record's own `time`
// (unix seconds, or a date string), else now.
import { decodeRecords } from '../../codec/msgpack.js';
import type { LogRecord } from '../../core/record.js';

/** The client sent something we cannot read: answered 400 with this message. */
export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export interface ParsedRequest {
  records: LogRecord[];
}

/**
 * Parse a request body (already decompressed) into records. `query` is the URL's search params;
 * `nowSec` the time for records that carry none.
 */
export function parseRequest(body: Buffer, contentType: string | undefined, query: URLSearchParams, nowSec: number): ParsedRequest {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  let values: unknown[];
  let timeParam = query.get('time');
  if (type === 'application/x-www-form-urlencoded') {
    const form = parseForm(body);
    timeParam = textOf(form.get('time')) ?? timeParam;
    values = fromParams(form) ?? fail("a form body needs a json= or msgpack= field, e.g. json={\"message\":\"hi\"}");
  } else if (body.length === 0) {
    const fromQuery = fromParams(new Map([...query].map(([k, v]) => [k, Buffer.from(v, 'utf8')])));
    values = fromQuery ?? fail('the request has no body; send a JSON object or array');
  } else if (type === 'application/msgpack' || type === 'application/x-msgpack') {
    values = fromMsgpack(body);
  } else if (type === 'application/x-ndjson' || type === 'application/jsonl' || type === 'application/json-lines') {
    values = fromNdjson(body.toString('utf8'));
  } else {
    values = fromJsonOrNdjson(body.toString('utf8'));
  }
  const queryTime = parseTimeParam(timeParam);
  const records: LogRecord[] = [];
  values.forEach((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
      fail(values.length === 1 ? 'the record must be a JSON object' : `record ${i + 1} is not a JSON object`);
    }
    const record = v as Record<string, unknown>;
    record['time'] = queryTime ?? recordTime(record['time']) ?? nowSec;
    records.push(record as LogRecord);
  });
  return { records };
}

function fail(message: string): never {
  throw new BadRequestError(message);
}

function fromJsonOrNdjson(text: string): unknown[] {
  try {
    return spread(JSON.parse(text));
  } catch (err) {
    // Several non-empty lines: NDJSON sent without its content type.
    if (text.trim().includes('\n')) return fromNdjson(text);
    return fail(`the body is not valid JSON: ${(err as Error).message}`);
  }
}

function fromNdjson(text: string): unknown[] {
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      fail(`line ${i + 1} of the body is not valid JSON: ${(err as Error).message}`);
    }
  }
  return out;
}

function fromMsgpack(bytes: Buffer): unknown[] {
  let values: unknown[];
  try {
    values = decodeRecords(bytes);
  } catch (err) {
    return fail(`the body is not valid msgpack: ${(err as Error).message}`);
  }
  return values.length === 1 ? spread(values[0]) : values;
}

/** fluentd's `json=` / `msgpack=` parameters; null when neither is present. */
function fromParams(params: Map<string, Buffer>): unknown[] | null {
  const msgpack = params.get('msgpack');
  if (msgpack !== undefined) return fromMsgpack(msgpack);
  const json = params.get('json');
  if (json === undefined) return null;
  try {
    return spread(JSON.parse(json.toString('utf8')));
  } catch (err) {
    return fail(`the json field is not valid JSON: ${(err as Error).message}`);
  }
}

function spread(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** application/x-www-form-urlencoded into raw bytes per field (a msgpack= field is binary). */
function parseForm(body: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const pair of body.toString('latin1').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    if (!out.has(key)) out.set(key, percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return out;
}

function percentDecode(s: string): Buffer {
  if (!/[%+]/.test(s)) return Buffer.from(s, 'latin1');
  const out = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x2b) {
      out[n++] = 0x20;
      continue;
    }
    if (ch === 0x25 && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = ch & 0xff;
  }
  return out.subarray(0, n);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function textOf(b: Buffer | undefined): string | null {
  return b === undefined ? null : b.toString('utf8');
}

/** `?time=` as fluentd reads it: unix seconds; 0 means "now". */
function parseTimeParam(raw: string | null): number | null {
  if (raw === null || raw.trim() === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n)) fail(`the time parameter must be unix seconds, got "${raw}"`);
  const t = Math.floor(n);
  return t === 0 ? null : t;
}

function recordTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.floor(v) : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (Number.isFinite(n)) return n > 0 ? Math.floor(n) : null;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
  }
  return null;
}
