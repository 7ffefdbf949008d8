// The generic HTTP output: POST (or PUT) each chunk, re-encoded as configured, with the chunk key as
// Idempotency-Key. 2xx success; 408, 425, 429, 5xx retry; 409 (key still in flight) retry later;
// other 4xx park.
import type { SealedChunk } from '../../core/chunk.js';
import type { Outcome } from '../../core/outcome.js';
import type { HttpOutputConfig } from '../../config/types.js';
import { VERSION } from '../../core/version.js';
import { classifyStatus } from '../classify.js';
import { bodyDetail, isOutcome, outputTransport, type Transport } from '../http-client.js';
import { outboundNotes, type OutputNote } from '../outbound-notes.js';
import type { Output } from '../types.js';
import { CONTENT_TYPES, encodeBody } from './encode.js';

export class HttpOutput implements Output {
  readonly name: string;
  readonly config: HttpOutputConfig;
  readonly notes: readonly OutputNote[];
  readonly #transport: Transport;

  constructor(config: HttpOutputConfig, env: NodeJS.ProcessEnv = process.env) {
    this.name = config.name;
    this.config = config;
    this.#transport = outputTransport(config, config.url, env);
    this.notes = outboundNotes(config, config.url, this.#transport.proxy);
  }

  async send(chunk: SealedChunk, signal?: AbortSignal): Promise<Outcome> {
    let body: Buffer;
    try {
      body = await encodeBody(chunk.payload, this.config);
    } catch (err) {
      return { kind: 'park', reason: `the chunk's payload cannot be decoded: ${(err as Error).message}`, latencyMs: 0 };
    }
    const headers: Record<string, string> = {
      ...this.config.headers,
      'content-type': CONTENT_TYPES[this.config.format],
      'content-length': String(body.length),
      'idempotency-key': chunk.key,
      'user-agent': `tdfwd/${VERSION}`,
    };
    if (this.config.compress === 'gzip') headers['content-encoding'] = 'gzip';
    const r = await this.#transport.send({ method: this.config.method, url: this.config.url, headers, body, signal });
    if (isOutcome(r)) return r;
    return classifyStatus('http', r.status, r.retryAfter, r.latencyMs, Date.now(), bodyDetail(r.body));
  }

  async close(): Promise<void> {
    await this.#transport.close();
  }
}
