// `tdfwd config check`: validate the config (file from --config / TDFWD_CONFIG, or the no-config
// default), print the resolved config with secrets masked on stdout and a summary on stderr.
// A file is checked with the daemon's rules, the same validation `tdfwd run` applies: what check
// accepts, run accepts. Every problem is listed at once, each with its key path; exit 2.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { renderConfig } from '../config/render.js';
import { action } from './action.js';

interface GlobalOpts {
  config?: string;
  buffer?: string;
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('work with the config file');
  config
    .command('check')
    .description('validate the config file and print the resolved config, secrets masked')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const globals = cmd.optsWithGlobals<GlobalOpts>();
        const file = globals.config ?? (process.env.TDFWD_CONFIG || undefined);
        const cfg = loadConfig({ file, env: process.env, bufferFlag: globals.buffer, forDaemon: file !== undefined });
        process.stdout.write(renderConfig(cfg));
        const note = file === undefined ? ' (no config file: defaults from flags and environment)' : '';
        process.stderr.write(`config OK: ${cfg.inputs.length} inputs, ${cfg.outputs.length} outputs${note}\n`);
        return 0;
      }),
    );
}
