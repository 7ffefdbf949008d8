import { ChunkStore, type BufferLimits } from '../../src/buffer/store.js';
import { gzipParts } from '../../src/codec/msgpack.js';

export function openStore(dir: string, limits: Partial<BufferLimits> = {}, now?: () => number): ChunkStore {
  return new ChunkStore({ dir, limits, compress: (next) => gzipParts(next), ...(now ? { now } : {}) });
}
