// Composition helpers shared by the daemon and the one-off commands: a chunk store from the buffer
// config, outputs from the output configs (checked for what they need before any request is made).
import { ChunkStore } from '../buffer/store.js';
import { gzipParts } from '../codec/msgpack.js';
import type { BufferConfig, OutputConfig } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { createOutput, type Output } from '../outputs/index.js';

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
    compress: (next) => gzipParts(next),
  });
}

/** Outputs ready to send; a td output without an API key is a configuration error (exit 2). */
export function buildOutputs(configs: readonly OutputConfig[], fromFile: boolean): Output[] {
  configs.forEach((cfg, i) => {
    if (cfg.type === 'td' && !cfg.apikey) {
      throw new ConfigError(
        fromFile ? `outputs[${i}].apikey` : 'TD_API_KEY',
        fromFile ? 'an API key is required to send to Treasure Data' : 'not set: export TD_API_KEY=<your write-only API key>, or use a config file',
      );
    }
  });
  return configs.map((c) => createOutput(c));
}
