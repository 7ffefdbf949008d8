// Pure body decoders: msgpack stream, NDJSON, JSON array → one callback per record. The callback
// may reject a record with a sentence; the decoder then stops and returns that sentence (a 400).
// Records are handed over one by one, not collected: a 40k-record chunk never sits in memory as
// 40k objects at once.
import { Unpackr } from 'msgpackr';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export type RecordMap = Record<string, unknown>;
/** Returns null to accept the record, or a sentence saying what is wrong with it. */
export type EachRecord = (record: RecordMap, index: number) => string | null;
export type Decoded = { ok: true; count: number } | { ok: false; message: string };

function isMap(v: unknown): v is RecordMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function decodeMsgpack(raw: Buffer, each: EachRecord): Decoded {
  if (raw.length === 0) return { ok: true, count: 0 };
  let count = 0;
  let problem: string | null = null;
  try {
    unpackr.unpackMultiple(raw, (v: unknown) => {
      problem = isMap(v) ? each(v, count) : `record ${count} is not a map`;
      if (problem !== null) return false;
      count++;
      return true;
    });
  } catch (err) {
    return { ok: false, message: `the body is not a stream of msgpack maps (${(err as Error).message})` };
  }
  return problem === null ? { ok: true, count } : { ok: false, message: problem };
}

export function decodeNdjson(raw: Buffer, each: EachRecord): Decoded {
  const text = raw.toString('utf8');
  let count = 0;
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
    const problem = each(v, count);
    if (problem !== null) return { ok: false, message: problem };
    count++;
  }
  return { ok: true, count };
}

export function decodeJson(raw: Buffer, each: EachRecord): Decoded {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'the body is not valid JSON' };
  }
  const values = isMap(v) ? [v] : v;
  if (!Array.isArray(values)) return { ok: false, message: 'the JSON body must be an array of objects' };
  for (let i = 0; i < values.length; i++) {
    const r: unknown = values[i];
    const problem = isMap(r) ? each(r, i) : `record ${i} is not an object`;
    if (problem !== null) return { ok: false, message: problem };
  }
  return { ok: true, count: values.length };
}

/** The Streaming Import rule: every record has an integer `time`. */
export function checkTime(record: RecordMap, index: number): string | null {
  const t = record.time;
  if (typeof t === 'number' && Number.isInteger(t)) return null;
  return `record ${index} has no integer "time" field; every record needs unix seconds in "time"`;
}
