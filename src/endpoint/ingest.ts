// The generic receiver for tdfwd's `http` output: POST|PUT /ingest/{path}. Body NDJSON (default),
// JSON array or msgpack by Content-Type, `Content-Encoding: gzip` honoured, `Idempotency-Key`
// de-duplicated in the same ledger and window as unique_id. Records count under "ingest.<path>".
// Auth: none unless an apikey is configured, then `TD1 <key>` or `Bearer <key>`.
import { gunzipBounded, readBody } from './body.js';
import { answer, importBatch, injectFault, type EndpointContext } from './context.js';
import { decodeJson, decodeMsgpack, decodeNdjson, type Decoded, type EachRecord } from './decode.js';
import { apiError, type Exchange } from './exchange.js';
import { StoreLines } from './store.js';

const KEY = /^[\x21-\x7e]{1,256}$/;

function decoderFor(contentType: string | undefined): ((raw: Buffer, each: EachRecord) => Decoded) | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (type) {
    case '':
    case 'application/x-ndjson':
    case 'application/ndjson':
    case 'application/jsonlines':
    case 'application/x-jsonlines':
    case 'text/plain':
    case 'application/x-www-form-urlencoded': // what `curl -d` sends by default
      return decodeNdjson;
    case 'application/json':
      return decodeJson;
    case 'application/msgpack':
    case 'application/x-msgpack':
    case 'application/vnd.msgpack':
      return decodeMsgpack;
    default:
      return null;
  }
}

function authorized(expected: string | null, header: string | undefined): boolean {
  if (expected === null) return true;
  return header === `TD1 ${expected}` || header === `Bearer ${expected}`;
}

/** "ingest.<path>" with the path's slashes as dots: /ingest/app/web → ingest.app.web */
export function ingestTableName(rest: string): string {
  const parts = rest.split('/').filter((p) => p !== '');
  return parts.length === 0 ? 'default' : parts.map(decodeURIComponentSafe).join('.');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export async function handleIngest(ctx: EndpointContext, x: Exchange, rest: string): Promise<void> {
  if (injectFault(ctx, x)) return;
  const h = x.req.headers;
  if (!authorized(ctx.apikey, h.authorization)) {
    return answer(ctx, x, 401, apiError('Authentication failed', 'Send "Authorization: Bearer <key>" (or "TD1 <key>") with the endpoint\'s key.'));
  }
  const rawKey = h['idempotency-key'];
  const key = typeof rawKey === 'string' ? rawKey : null;
  if (key !== null && !KEY.test(key)) {
    return answer(ctx, x, 400, apiError('Invalid Idempotency-Key', 'The Idempotency-Key header must be 1-256 printable ASCII characters.'));
  }
  const decode = decoderFor(h['content-type']);
  if (decode === null) {
    return answer(ctx, x, 415, apiError('Unsupported media type', 'Send application/x-ndjson, application/json or application/msgpack.'));
  }
  const encoding = (h['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity') {
    return answer(ctx, x, 415, apiError('Unsupported content encoding', `Content-Encoding "${encoding}" is not supported; send gzip or no encoding.`));
  }
  if (key !== null) ctx.ledger.see(key);

  const body = await readBody(x.req, ctx.maxBodyBytes);
  if (!body.ok) {
    if (!body.tooLarge) return x.aborted();
    return answer(ctx, x, 413, apiError('Request entity too large', `The body is larger than ${ctx.maxBodyBytes} bytes; split the chunk.`));
  }
  const table = ingestTableName(rest);
  if (key !== null && ctx.ledger.isFresh(key)) {
    ctx.counters.dedupHits++;
    return answer(ctx, x, 200, { ok: true, deduplicated: true });
  }
  let raw = body.body;
  if (encoding === 'gzip') {
    const g = await gunzipBounded(body.body, ctx.maxRawBytes);
    if (!g.ok) return answer(ctx, x, g.tooLarge ? 413 : 400, apiError(g.tooLarge ? 'Request entity too large' : 'Invalid body', g.message));
    raw = g.raw;
  }
  const lines = ctx.store ? new StoreLines('ingest', table, key) : null;
  const decoded = decode(raw, (r) => {
    lines?.add(r);
    return null;
  });
  if (!decoded.ok) return answer(ctx, x, 400, apiError('Invalid body', decoded.message));
  x.records = decoded.count;
  const batch = { key, database: 'ingest', table, count: decoded.count, bytes: body.body.length, lines };
  await importBatch(ctx, x, batch, { ok: true, records: decoded.count });
}
