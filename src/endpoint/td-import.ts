// The Treasure Data API surface: PUT /v3/table/import_with_id/{db}/{table}/{unique_id}/msgpack.gz
// and the create calls fluent-plugin-td makes on a 404. Checks in the order the real API shows
// them: auth (401), the request line (400), the table (404), the body (413/400), then the import.
import { readBody, gunzipBounded } from './body.js';
import { isValidName } from './catalog.js';
import { answer, importBatch, injectFault, type EndpointContext } from './context.js';
import { checkTime, decodeMsgpack, type Decoded } from './decode.js';
import { scanRecords } from './msgpack-scan.js';
import { StoreLines } from './store.js';
import { apiError, type Exchange } from './exchange.js';

const UNIQUE_ID = /^[0-9a-f]{32}$/;

/** `TD1 <key>`: the exact key when one is configured, else any non-empty key. */
export function td1Authorized(expected: string | null, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('TD1 ')) return false;
  const key = header.slice(4);
  return expected === null ? key.trim().length > 0 : key === expected;
}

function unauthorized(ctx: EndpointContext, x: Exchange): Promise<void> {
  return answer(ctx, x, 401, apiError('Authentication failed', 'Send "Authorization: TD1 <apikey>" with a valid API key.'));
}

function badName(ctx: EndpointContext, x: Exchange, what: string, name: string): Promise<void> {
  return answer(ctx, x, 400, apiError('Invalid name', `The ${what} name "${name}" must be 1-255 characters of a-z, 0-9 and _.`));
}

export async function handleImport(ctx: EndpointContext, x: Exchange, db: string, table: string, uniqueId: string, format: string): Promise<void> {
  if (injectFault(ctx, x)) return;
  if (!td1Authorized(ctx.apikey, x.req.headers.authorization)) return unauthorized(ctx, x);
  if (!UNIQUE_ID.test(uniqueId)) {
    return answer(ctx, x, 400, apiError('Invalid unique_id', `unique_id "${uniqueId}" must be 32 lowercase hex characters.`));
  }
  if (format !== 'msgpack.gz') {
    return answer(ctx, x, 400, apiError('Unsupported format', `Format "${format}" is not supported here; send msgpack.gz.`));
  }
  const idem = x.req.headers['idempotency-key'];
  if (idem !== undefined && idem !== uniqueId) {
    return answer(ctx, x, 400, apiError('Idempotency-Key mismatch', 'The Idempotency-Key header must equal the unique_id in the path.'));
  }
  if (!isValidName(db)) return badName(ctx, x, 'database', db);
  if (!isValidName(table)) return badName(ctx, x, 'table', table);
  ctx.ledger.see(uniqueId);
  if (!ctx.catalog.accepts(db, table)) {
    return answer(ctx, x, 404, apiError('Table not found', `Table "${db}.${table}" does not exist; create it with POST /v3/table/create/${db}/${table}/log.`));
  }

  const body = await readBody(x.req, ctx.maxBodyBytes);
  if (!body.ok) {
    if (!body.tooLarge) return x.aborted();
    return answer(ctx, x, 413, apiError('Request entity too large', `The body is larger than ${ctx.maxBodyBytes} bytes; split the chunk.`));
  }
  const okBody = { unique_id: uniqueId, database: db, table, elapsed_time: 0 };
  if (ctx.ledger.isFresh(uniqueId)) {
    // a re-send within the window: the payload is the one already imported, skip decoding it
    ctx.counters.dedupHits++;
    return answer(ctx, x, 200, { ...okBody, elapsed_time: elapsed(x) });
  }
  const raw = await gunzipBounded(body.body, ctx.maxRawBytes);
  if (!raw.ok) return answer(ctx, x, raw.tooLarge ? 413 : 400, apiError(raw.tooLarge ? 'Request entity too large' : 'Invalid body', raw.message));
  // without a store file the records are only validated and counted: scan the bytes, build nothing
  const lines = ctx.store ? new StoreLines(db, table, uniqueId) : null;
  const decoded: Decoded = lines
    ? decodeMsgpack(raw.raw, (r, i) => {
        const problem = checkTime(r, i);
        if (problem === null) lines.add(r);
        return problem;
      })
    : scanRecords(raw.raw);
  if (!decoded.ok) return answer(ctx, x, 400, apiError('Invalid body', decoded.message));
  x.records = decoded.count;

  const batch = { key: uniqueId, database: db, table, count: decoded.count, bytes: body.body.length, lines };
  await importBatch(ctx, x, batch, { ...okBody, elapsed_time: elapsed(x) });
}

function elapsed(x: Exchange): number {
  return Math.round(performance.now() - x.startedAt) / 1000;
}

export async function handleCreateDatabase(ctx: EndpointContext, x: Exchange, db: string): Promise<void> {
  if (!td1Authorized(ctx.apikey, x.req.headers.authorization)) return unauthorized(ctx, x);
  if (!isValidName(db)) return badName(ctx, x, 'database', db);
  if (ctx.catalog.createDatabase(db) === 'exists') {
    return answer(ctx, x, 409, apiError('Database already exists', `Database "${db}" already exists.`));
  }
  return answer(ctx, x, 200, { database: db });
}

export async function handleCreateTable(ctx: EndpointContext, x: Exchange, db: string, table: string, type: string): Promise<void> {
  if (!td1Authorized(ctx.apikey, x.req.headers.authorization)) return unauthorized(ctx, x);
  if (!isValidName(db)) return badName(ctx, x, 'database', db);
  if (!isValidName(table)) return badName(ctx, x, 'table', table);
  if (type !== 'log') return answer(ctx, x, 400, apiError('Invalid table type', `Table type "${type}" is not supported; use "log".`));
  const r = ctx.catalog.createTable(db, table);
  if (r === 'no-database') return answer(ctx, x, 404, apiError('Database not found', `Database "${db}" does not exist; create it first with POST /v3/database/create/${db}.`));
  if (r === 'exists') return answer(ctx, x, 409, apiError('Table already exists', `Table "${db}.${table}" already exists.`));
  return answer(ctx, x, 200, { database: db, table, type: 'log' });
}
