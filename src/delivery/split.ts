// A 413 splits a chunk in two instead of parking it. Each half gets a key derived from the parent's,
// so repeating the split after a crash yields the same keys (and the endpoint's dedup still works).
import { childChunkKey, type SealedChunk } from '../core/chunk.js';
import { decodeRecords, encodeRecords, gunzipPayload, gzipPayload } from '../codec/msgpack.js';
import type { SplitHalf } from './queue.js';

/** The two halves, or a sentence saying why the chunk cannot be split. */
export async function splitChunk(chunk: SealedChunk): Promise<[SplitHalf, SplitHalf] | string> {
  let records: unknown[];
  try {
    records = decodeRecords(await gunzipPayload(chunk.payload));
  } catch (err) {
    return `cannot split: the payload does not decode (${(err as Error).message})`;
  }
  if (records.length < 2) return 'a single record is larger than the endpoint accepts';
  const mid = Math.ceil(records.length / 2);
  const halves: SplitHalf[] = [];
  for (const [i, part] of [records.slice(0, mid), records.slice(mid)].entries()) {
    const raw = encodeRecords(part);
    halves.push({ key: childChunkKey(chunk.key, i as 0 | 1), records: part.length, rawBytes: raw.length, payload: await gzipPayload(raw) });
  }
  return halves as [SplitHalf, SplitHalf];
}
