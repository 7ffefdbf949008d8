// The Treasure Data output: PUT each sealed chunk to the Streaming Import API's import_with_id, as
// fluent-plugin-td and td-client do, with the chunk key as unique_id and Idempotency-Key. A 404 for an
// unknown table creates the database and table (auto_create_table) and re-sends once.
import type { SealedChunk } from '../../core/chunk.js';
import type { Outcome } from '../../core/outcome.js';
import type { TdOutputConfig } from '../../config/types.js';
import { VERSION } from '../../core/version.js';
import { classifyStatus } from '../classify.js';
import { bodyDetail, isOutcome, outputTransport, type Transport } from '../http-client.js';
import { outboundNotes, type OutputNote } from '../outbound-notes.js';
import type { Output } from '../types.js';
import { tdDestination } from '../../router/td-destination.js';
import { normalizeEndpoint } from './destination.js';

export class TdOutput implements Output {
  readonly name: string;
  readonly config: TdOutputConfig;
  readonly notes: readonly OutputNote[];
  readonly #transport: Transport;
  readonly #base: string;
  readonly #auth: string;
  readonly #created = new Set<string>();

  constructor(config: TdOutputConfig, env: NodeJS.ProcessEnv = process.env) {
    this.name = config.name;
    this.config = config;
    this.#base = normalizeEndpoint(config.endpoint);
    this.#auth = `TD1 ${config.apikey}`;
    this.#transport = outputTransport(config, this.#base, env);
    this.notes = outboundNotes(config, this.#base, this.#transport.proxy);
  }

  async send(chunk: SealedChunk, signal?: AbortSignal): Promise<Outcome> {
    const dest = tdDestination(chunk.tag, this.config); // a sentence when there is none: the chunk is parked
    if (typeof dest === 'string') return { kind: 'park', reason: dest, latencyMs: 0 };
    const first = await this.#put(chunk, dest.database, dest.table, signal);
    if (first.kind === 'park' && first.status === 404 && this.config.autoCreateTable) {
      const created = await this.#createTable(dest.database, dest.table, signal);
      if (created) return created;
      return this.#put(chunk, dest.database, dest.table, signal);
    }
    return first;
  }

  async #put(chunk: SealedChunk, database: string, table: string, signal?: AbortSignal): Promise<Outcome> {
    const url = `${this.#base}/v3/table/import_with_id/${encodeURIComponent(database)}/${encodeURIComponent(table)}/${chunk.key}/msgpack.gz`;
    const r = await this.#transport.send({
      method: 'PUT',
      url,
      signal,
      headers: {
        authorization: this.#auth,
        'content-type': 'application/octet-stream',
        'content-length': String(chunk.payload.length),
        'idempotency-key': chunk.key,
        'user-agent': `tdfwd/${VERSION}`,
      },
      body: chunk.payload,
    });
    if (isOutcome(r)) return r;
    return classifyStatus('td', r.status, r.retryAfter, r.latencyMs, Date.now(), bodyDetail(r.body));
  }

  /** Create the database and table (409 = exists). Returns an Outcome only if creation failed. */
  async #createTable(database: string, table: string, signal?: AbortSignal): Promise<Outcome | undefined> {
    const id = `${database}.${table}`;
    if (this.#created.has(id)) return undefined;
    for (const path of [`/v3/database/create/${encodeURIComponent(database)}`, `/v3/table/create/${encodeURIComponent(database)}/${encodeURIComponent(table)}/log`]) {
      const r = await this.#transport.send({
        method: 'POST',
        url: `${this.#base}${path}`,
        signal,
        headers: { authorization: this.#auth, 'user-agent': `tdfwd/${VERSION}`, 'content-length': '0' },
      });
      if (isOutcome(r)) return r.kind === 'in_doubt' ? { kind: 'retry', reason: r.reason, backpressure: false, latencyMs: r.latencyMs } : r;
      if (r.status === 409 || (r.status >= 200 && r.status < 300)) continue;
      const o = classifyStatus('td', r.status, r.retryAfter, r.latencyMs, Date.now(), `creating ${id}: ${bodyDetail(r.body)}`);
      return o;
    }
    this.#created.add(id);
    return undefined;
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}
