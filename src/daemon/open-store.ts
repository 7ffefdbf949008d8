// The chunk store of a buffer config, with the gzip sealer: what every command that touches the
// buffer opens (kept apart from the outputs so `send` and `status` do not load the HTTP client).
import { ChunkStore } from '../buffer/store.js';
import { gzipStoredParts, partRecords } from '../codec/gzip-segments.js';
import type { BufferConfig } from '../config/types.js';

export function openStore(buffer: BufferConfig): ChunkStore {
  return new ChunkStore({
    dir: buffer.path,
    sync: buffer.sync,
    limits: {
      chunkLimitSize: buffer.chunkLimitSize,
      chunkLimitRecords: buffer.chunkLimitRecords,
      totalLimitSize: buffer.totalLimitSize,
      overflowAction: buffer.overflowAction,
    },
    compress: gzipStoredParts, inflate: partRecords,
  });
}
