// What a one-off command needs before it starts: the resolved config (file, env, flags) and whether it
// came from a file (for error messages that name a key or an environment variable).
import { loadConfig } from '../config/load.js';
import type { TdfwdConfig } from '../config/types.js';
import type { GlobalOptions } from './globals.js';

export interface CommandContext {
  config: TdfwdConfig;
  fromFile: boolean;
}

export function loadForCommand(g: GlobalOptions): CommandContext {
  const file = g.config ?? process.env.TDFWD_CONFIG;
  const config = loadConfig({ ...(file ? { file } : {}), env: process.env, ...(g.buffer ? { bufferFlag: g.buffer } : {}) });
  return { config, fromFile: Boolean(file) };
}
