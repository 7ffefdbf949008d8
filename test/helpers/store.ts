import { ChunkStore, type BufferLimits } from '../../src/buffer/store.js';
import { gzipStoredParts, partRecords } from '../../src/codec/gzip-segments.js';

export function openStore(dir: string, limits: Partial<BufferLimits> = {}, now?: () => number): ChunkStore {
  return new ChunkStore({ dir, limits, compress: gzipStoredParts, inflate: partRecords, ...(now ? { now } : {}) });
}
