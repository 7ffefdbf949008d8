// `tdfwd run`: the daemon, until SIGTERM/SIGINT. SIGHUP reloads the config, SIGUSR1 flushes now.
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { Daemon } from '../daemon/daemon.js';
import { createLogger, LOG_LEVELS } from '../daemon/logger.js';
import { action } from './action.js';
import { globalsOf } from './globals.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the daemon: inputs → buffer → outputs until SIGTERM/SIGINT (SIGHUP reloads, SIGUSR1 flushes)')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const g = globalsOf(cmd);
        const file = g.config ?? process.env.TDFWD_CONFIG;
        if (!file) throw new ConfigError('--config', 'the daemon needs a config file: tdfwd run -c tdfwd.yaml (see examples/quickstart.yaml)');
        if (!(LOG_LEVELS as readonly string[]).includes(g.logLevel)) throw new ConfigError('--log-level', `expected one of ${LOG_LEVELS.join(', ')}`);
        const log = createLogger(g.logLevel, []);
        const daemon = await Daemon.start({ configFile: file, env: process.env, log, ...(g.buffer ? { bufferFlag: g.buffer } : {}) });
        return new Promise<number>((resolve) => {
          let stopping = false;
          const stop = (signal: string): void => {
            if (stopping) {
              log.warn(`${signal} again: stopping now`);
              return;
            }
            stopping = true;
            daemon
              .stop(signal)
              .then(() => resolve(0))
              .catch((err: Error) => {
                log.error(`stop failed: ${err.message}`);
                resolve(1);
              });
          };
          process.on('SIGTERM', () => stop('SIGTERM'));
          process.on('SIGINT', () => stop('SIGINT'));
          process.on('SIGHUP', () => void daemon.reload());
          process.on('SIGUSR1', () => void daemon.flushNow().catch((err: Error) => log.error(`flush failed: ${err.message}`)));
        });
      }),
    );
}
