// A sealed chunk re-encoded for a generic HTTP endpoint: ndjson, a JSON array or msgpack, gzip by
// default. Deterministic, so every attempt of a chunk sends the same bytes.
import { decodeRecords, gunzipPayload, gzipPayload } from '../../codec/msgpack.js';
import type { HttpOutputConfig } from '../../config/types.js';

export const CONTENT_TYPES: Record<HttpOutputConfig['format'], string> = {
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  msgpack: 'application/msgpack',
};

export async function encodeBody(payload: Buffer, cfg: Pick<HttpOutputConfig, 'format' | 'compress'>): Promise<Buffer> {
  let body: Buffer;
  if (cfg.format === 'msgpack') {
    if (cfg.compress === 'gzip') return payload; // the sealed payload is already gzip(msgpack)
    body = await gunzipPayload(payload);
  } else {
    const records = decodeRecords(await gunzipPayload(payload));
    const text = cfg.format === 'ndjson' ? records.map((r) => JSON.stringify(r)).join('\n') + '\n' : JSON.stringify(records);
    body = Buffer.from(text, 'utf8');
  }
  return cfg.compress === 'gzip' ? gzipPayload(body) : body;
}
