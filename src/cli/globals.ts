// The global options every command shares, read from commander.
import type { Command } from 'commander';

/**
 * `--log-level` values, checked once for every command (commander's choices: exit 2 naming the flag
 * and these values). The daemon's logger (pino) takes each of them.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export interface GlobalOptions {
  config?: string;
  buffer?: string;
  logLevel: string;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}
