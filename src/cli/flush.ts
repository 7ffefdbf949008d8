// `tdfwd flush [--timeout DUR] [--match PATTERN]`: deliver everything buffered now. The definition
// only; the work (and the HTTP client it needs) is loaded when the command runs (flush-run.ts).
import type { Command } from 'commander';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { globalsOf } from './globals.js';
import type { FlushOptions } from './flush-run.js';

export function registerFlush(program: Command): void {
  program
    .command('flush')
    .description('deliver everything buffered now; exit 0 when nothing deliverable is left')
    .option('--timeout <duration>', 'give up (exit 1) after this long', '5m')
    .option('--match <pattern>', 'only chunks whose tag matches this fluentd pattern')
    .action(action(async (opts: FlushOptions, cmd: Command) => (await import('./flush-run.js')).runFlush(loadForCommand(globalsOf(cmd)), opts)));
}
