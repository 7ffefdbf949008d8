// The stdout output: each record as one JSON line (with its tag), for debugging a pipeline.
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import type { StdoutOutputConfig } from '../config/types.js';
import { decodeRecords, gunzipPayload } from '../codec/msgpack.js';
import type { Output } from './types.js';

export class StdoutOutput implements Output {
  readonly name: string;
  readonly config: StdoutOutputConfig;
  readonly #write: (text: string) => Promise<void>;

  constructor(config: StdoutOutputConfig, write?: (text: string) => Promise<void>) {
    this.name = config.name;
    this.config = config;
    this.#write = write ?? ((text) => new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve()))));
  }

  async send(chunk: SealedChunk): Promise<Outcome> {
    const started = performance.now();
    try {
      const records = decodeRecords(await gunzipPayload(chunk.payload));
      const lines = records.map((r) => JSON.stringify(this.config.format === 'json' ? { tag: chunk.tag, record: r } : r));
      await this.#write(lines.join('\n') + '\n');
      return { kind: 'success', status: 200, latencyMs: performance.now() - started };
    } catch (err) {
      return { kind: 'retry', reason: `stdout: ${(err as Error).message}`, backpressure: false, latencyMs: performance.now() - started };
    }
  }

  async close(): Promise<void> {}
}
