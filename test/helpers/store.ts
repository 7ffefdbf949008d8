import { ChunkStore, type BufferLimits } from '../../src/buffer/store.js';
import { gzipPayload } from '../../src/codec/msgpack.js';

export function openStore(dir: string, limits: Partial<BufferLimits> = {}, now?: () => number): ChunkStore {
  return new ChunkStore({ dir, limits, compress: (raw) => gzipPayload(raw), ...(now ? { now } : {}) });
}
