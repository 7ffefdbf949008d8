// What an operator does to chunks (`tdfwd chunks list|show|retry|drop|export`): look them up by id, key
// or key prefix, read their data, re-queue parked chunks with a fresh attempt budget and the same key,
// and drop a chunk for good (counted; never one in flight).
import type { ChunkState } from '../core/chunk.js';
import { TdfwdError } from '../core/errors.js';
import type { StoredPart } from '../core/sink.js';
import type { StoreContext } from './context.js';
import { storedPart } from './rows.js';
import type { ChunkRow } from './statements.js';

export class Operator {
  readonly #c: StoreContext;
  readonly #inflate: ((part: StoredPart) => Buffer) | undefined;

  constructor(c: StoreContext, inflate: ((part: StoredPart) => Buffer) | undefined) {
    this.#c = c;
    this.#inflate = inflate;
  }

  chunkById(id: number): ChunkRow | undefined {
    return this.#c.st.chunkById.get(id);
  }

  chunkByKey(key: string): ChunkRow | undefined {
    return this.#c.st.chunkByKey.get(key);
  }

  /** The keys starting with a lowercase hex prefix, in order, at most `limit` of them. */
  keysWithPrefix(prefix: string, limit: number): string[] {
    return this.#c.st.keysWithPrefix.all(prefix, prefix, limit).map((r) => r.key);
  }

  list(state: ChunkState | null, limit: number): ChunkRow[] {
    return this.#c.st.listChunks.all(state, state, limit);
  }

  /** The stored bytes of a chunk: its payload once sealed, else its records (parts concatenated, inflated). */
  chunkData(id: number): { sealed: boolean; data: Buffer } | undefined {
    const { st } = this.#c;
    const payload = st.payloadOf.get(id, id);
    if (payload) return { sealed: true, data: payload.data };
    const parts = st.partsOf.all(id).map((r) => {
      const part = storedPart(r);
      if (!part.deflated) return part.data;
      if (!this.#inflate) throw new TdfwdError('IO', 'this buffer holds compressed parts but was opened without an inflater');
      return this.#inflate(part);
    });
    if (parts.length === 0) return undefined;
    return { sealed: false, data: Buffer.concat(parts) };
  }

  /** Parked → queued, with a fresh attempt budget and the same key. */
  unpark(id: number): boolean {
    return this.#c.st.unpark.run(id).changes === 1;
  }

  unparkAll(): number {
    const c = this.#c;
    let n = 0;
    c.immediate(() => {
      for (const { id } of c.st.parkedIds.all()) n += c.st.unpark.run(id).changes;
    });
    return n;
  }

  /** Delete a chunk for good (an operator's decision); counted. Refuses an inflight chunk. */
  drop(id: number): boolean {
    const c = this.#c;
    let ok = false;
    c.immediate(() => {
      const row = c.st.chunkById.get(id);
      if (!row || row.state === 'inflight') return;
      c.st.deleteChunk.run(id);
      c.st.bumpCounter.run('dropped_chunks', 1);
      c.st.bumpCounter.run('dropped_records', row.records);
      ok = true;
    });
    return ok;
  }
}
