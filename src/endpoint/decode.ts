// Pure body decoders: msgpack stream, NDJSON, JSON array → records. Each returns the records or a
// sentence saying what is wrong with the body (answered as 400).
import { Unpackr } from 'msgpackr';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export type Decoded = { ok: true; records: unknown[] } | { ok: false; message: string };

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function decodeMsgpack(raw: Buffer): Decoded {
  if (raw.length === 0) return { ok: true, records: [] };
  let values: unknown[];
  try {
    values = unpackr.unpackMultiple(raw) as unknown[];
  } catch (err) {
    return { ok: false, message: `the body is not a stream of msgpack maps (${(err as Error).message})` };
  }
  return everyMap(values);
}

export function decodeNdjson(raw: Buffer): Decoded {
  const text = raw.toString('utf8');
  const records: unknown[] = [];
  let line = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const piece = text.slice(start, end).trim();
    start = end + 1;
    if (piece === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(piece);
    } catch {
      return { ok: false, message: `line ${line} of the NDJSON body is not valid JSON` };
    }
    if (!isMap(v)) return { ok: false, message: `line ${line} of the NDJSON body is not a JSON object` };
    records.push(v);
  }
  return { ok: true, records };
}

export function decodeJson(raw: Buffer): Decoded {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'the body is not valid JSON' };
  }
  if (isMap(v)) return { ok: true, records: [v] };
  if (!Array.isArray(v)) return { ok: false, message: 'the JSON body must be an array of objects' };
  return everyMap(v);
}

function everyMap(values: unknown[]): Decoded {
  for (let i = 0; i < values.length; i++) {
    if (!isMap(values[i])) return { ok: false, message: `record ${i} is not a map` };
  }
  return { ok: true, records: values };
}

/** The Streaming Import rule: every record has an integer `time`. Null if all do. */
export function findRecordWithoutTime(records: readonly unknown[]): string | null {
  for (let i = 0; i < records.length; i++) {
    const t = (records[i] as Record<string, unknown>).time;
    if (typeof t !== 'number' || !Number.isInteger(t)) {
      return `record ${i} has no integer "time" field (got ${t === undefined ? 'none' : JSON.stringify(t)}); every record needs unix seconds in "time"`;
    }
  }
  return null;
}
