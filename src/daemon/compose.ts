// Outputs from the output configs, checked for what they need before any request is made. Shared by
// the daemon and `tdfwd flush`.
import type { OutputConfig } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { createOutput, type Output } from '../outputs/index.js';
import type { OutputNote } from '../outputs/outbound-notes.js';

/**
 * Outputs ready to send; a td output without an API key is a configuration error (exit 2). Each
 * output's start notes (its proxy, `tls.verify: false`, a key over plain http) go to `say`, once.
 */
export function buildOutputs(configs: readonly OutputConfig[], fromFile: boolean, say?: (note: OutputNote) => void): Output[] {
  configs.forEach((cfg, i) => {
    if (cfg.type === 'td' && !cfg.apikey) {
      throw new ConfigError(
        fromFile ? `outputs[${i}].apikey` : 'TD_API_KEY',
        fromFile ? 'an API key is required to send to Treasure Data' : 'not set: export TD_API_KEY=<your write-only API key>, or use a config file',
      );
    }
  });
  const outputs = configs.map((c) => createOutput(c));
  if (say) for (const o of outputs) for (const note of o.notes ?? []) say(note);
  return outputs;
}
