// The global options every command shares, read from commander.
import type { Command } from 'commander';

export { LOG_LEVELS } from '../core/log-levels.js';

export interface GlobalOptions {
  config?: string;
  buffer?: string;
  logLevel: string;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}
