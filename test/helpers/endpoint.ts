// Helpers for tests that talk to the local endpoint (src/endpoint): real gzip+msgpack bodies, real
// HTTP requests. Start an endpoint with startEndpoint({ port: 0 }) and close it in afterEach/afterAll.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeRecords } from '../../src/codec/msgpack.js';

export { startEndpoint } from '../../src/endpoint/index.js';
export type { EndpointHandle, EndpointOptions, EndpointStats } from '../../src/endpoint/index.js';

/** A chunk key as tdfwd makes them: 32 lowercase hex characters. */
export function newUniqueId(): string {
  return randomBytes(16).toString('hex');
}

/** The Streaming Import body: gzip of concatenated msgpack maps. */
export function importBody(records: readonly unknown[]): Buffer {
  return gzipSync(encodeRecords(records));
}

export function sampleRecords(n: number, time = 1_700_000_000): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ time: time + i, seq: i, message: `line ${i}` }));
}

export interface ImportRequest {
  db: string;
  table: string;
  uniqueId?: string;
  records?: readonly unknown[];
  body?: Buffer;
  apikey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** PUT /v3/table/import_with_id/... exactly as the td output sends it. */
export function putImport(baseUrl: string, r: ImportRequest): Promise<Response> {
  const id = r.uniqueId ?? newUniqueId();
  const body = r.body ?? importBody(r.records ?? sampleRecords(3));
  return fetch(`${baseUrl}/v3/table/import_with_id/${r.db}/${r.table}/${id}/msgpack.gz`, {
    method: 'PUT',
    headers: {
      authorization: `TD1 ${r.apikey ?? 'test-key'}`,
      'content-type': 'application/octet-stream',
      'idempotency-key': id,
      ...r.headers,
    },
    body,
    signal: r.signal ?? null,
  });
}

/** POST /v3/database/create and /v3/table/create; 409 (exists) is fine. Returns the two statuses. */
export async function createTable(baseUrl: string, db: string, table: string, apikey = 'test-key'): Promise<[number, number]> {
  const headers = { authorization: `TD1 ${apikey}` };
  const a = await fetch(`${baseUrl}/v3/database/create/${db}`, { method: 'POST', headers });
  await a.arrayBuffer();
  const b = await fetch(`${baseUrl}/v3/table/create/${db}/${table}/log`, { method: 'POST', headers });
  await b.arrayBuffer();
  return [a.status, b.status];
}
