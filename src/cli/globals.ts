// The global options every command shares, read from commander.
import type { Command } from 'commander';

export interface GlobalOptions {
  config?: string;
  buffer?: string;
  logLevel: string;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}
