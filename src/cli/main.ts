// The commander program: global options and one registration per command (each in its own file).
import { Command, CommanderError, Option } from 'commander';
import { EXIT_USAGE } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { endQuietlyWhenOutputCloses } from './closed-output.js';
import { registerCommands } from './commands.js';
import { LOG_LEVELS } from './globals.js';

export function buildProgram(): Command {
  const program = new Command('tdfwd')
    .description('A buffered log forwarder: durable SQLite buffer, idempotent delivery, no floods.')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'config file (YAML); env TDFWD_CONFIG')
    .option('--buffer <dir>', 'buffer directory; env TDFWD_BUFFER, else buffer.path, else ~/.local/state/tdfwd')
    .addOption(new Option('--log-level <level>', 'log level of the daemon').choices(LOG_LEVELS).default('info'))
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors start like every other message of ours ("tdfwd: ..."), not commander's "error: ...".
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'tdfwd: ')) })
    .exitOverride();
  registerCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // V8 settings were made by bin/tdfwd.js (runtime-flags.ts) before this module loaded.
  endQuietlyWhenOutputCloses();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // The command is done and its buffer closed. A read blocked on an idle stdin pipe (send
    // interrupted by a signal) would keep the process alive: do not let it.
    setTimeout(() => process.exit(), 500).unref();
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version print and exit 0; every other commander error is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw err;
  }
}
