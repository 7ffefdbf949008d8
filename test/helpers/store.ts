// A chunk store in a directory with the production codec, and every record it holds (for assertions).
import { ChunkStore, type BufferLimits } from '../../src/buffer/store.js';
import { gzipStoredParts, partRecords } from '../../src/codec/gzip-segments.js';
import { decodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';

export function openStore(dir: string, limits: Partial<BufferLimits> = {}, now?: () => number): ChunkStore {
  return new ChunkStore({ dir, limits, compress: gzipStoredParts, inflate: partRecords, ...(now ? { now } : {}) });
}

/** Every record in the buffer, in chunk order, with its chunk's tag. */
export async function records(store: ChunkStore): Promise<{ tag: string; record: Record<string, unknown> }[]> {
  await store.drainSeals();
  const out: { tag: string; record: Record<string, unknown> }[] = [];
  const chunks = store.listChunks(null, 100_000).sort((a, b) => a.id - b.id);
  for (const c of chunks) {
    const d = store.chunkData(c.id);
    if (!d) continue;
    const raw = d.sealed ? await gunzipPayload(d.data) : d.data;
    for (const r of decodeRecords(raw)) out.push({ tag: c.tag, record: r as Record<string, unknown> });
  }
  return out;
}

/** The records of the buffer in directory `dir` (what `send` left there), its open chunks sealed first. */
export async function recordsIn(dir: string): Promise<Record<string, unknown>[]> {
  const store = openStore(dir);
  await store.sealOpen();
  const out: Record<string, unknown>[] = [];
  for (const c of store.lease(1000, store.queuedTags(), 60_000)) out.push(...(decodeRecords(await gunzipPayload(c.payload)) as Record<string, unknown>[]));
  await store.close();
  return out;
}
