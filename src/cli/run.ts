// `tdfwd run`: the daemon, until SIGTERM/SIGINT. SIGHUP reloads the config, SIGUSR1 flushes now.
//
// The signal handlers are installed before the daemon starts: without them a SIGHUP (e.g. a
// `systemctl reload` racing the start) would kill the process, and a SIGUSR1 would open Node's
// debugger on 127.0.0.1:9229. Signals that arrive while starting are acted on once it runs.
// A second SIGTERM/SIGINT during the graceful stop exits at once (exit 1): everything acknowledged is
// already committed, in-flight chunks are re-sent with the same key by the next start.
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import type { Daemon } from '../daemon/daemon.js';
import type { Logger } from '../daemon/logger.js';
import { action } from './action.js';
import { globalsOf } from './globals.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1'] as const;
/** After the stop, the process should end by itself; a handle left open must not keep it alive. */
const EXIT_GRACE_MS = 3000;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('the daemon: inputs → buffer → outputs until SIGTERM/SIGINT (SIGHUP reloads, SIGUSR1 flushes)')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const g = globalsOf(cmd);
        const file = g.config ?? process.env.TDFWD_CONFIG;
        if (!file) throw new ConfigError('--config', 'the daemon needs a config file: tdfwd run -c tdfwd.yaml (see examples/quickstart.yaml)');

        // Handlers first, before the daemon's modules load (see the header).
        let log: Logger | null = null;
        let daemon: Daemon | null = null;
        let stopRequested: string | null = null;
        let reloadRequested = false;
        let flushRequested = false;
        let stopping = false;
        let finish: (code: number) => void = () => {};
        const done = new Promise<number>((resolve) => (finish = resolve));

        const stop = (d: Daemon, signal: string): void => {
          stopping = true;
          d.stop(signal)
            .then(() => finish(0))
            .catch((err: Error) => {
              log?.error(`stop failed: ${err.message}`);
              finish(1);
            });
        };
        const flush = (d: Daemon): void => {
          d.flushNow().catch((err: Error) => log?.error(`flush failed: ${err.message}`));
        };
        const handlers: Record<(typeof SIGNALS)[number], () => void> = {
          SIGTERM: () => onStop('SIGTERM'),
          SIGINT: () => onStop('SIGINT'),
          SIGHUP: () => (daemon ? void daemon.reload() : (reloadRequested = true)),
          SIGUSR1: () => (daemon ? flush(daemon) : (flushRequested = true)),
        };
        function onStop(signal: string): void {
          if (stopping) {
            log?.warn(`${signal} again: exiting now without waiting for delivery; everything acknowledged stays in the buffer`);
            daemon?.abandon();
            process.exit(1);
          }
          if (daemon) stop(daemon, signal);
          else stopRequested = signal;
        }
        for (const s of SIGNALS) process.on(s, handlers[s]);

        try {
          const { Daemon } = await import('../daemon/daemon.js');
          const { createLogger } = await import('../daemon/logger.js');
          log = createLogger(g.logLevel, []);
          daemon = await Daemon.start({ configFile: file, env: process.env, log, ...(g.buffer ? { bufferFlag: g.buffer } : {}) });
        } catch (err) {
          for (const s of SIGNALS) process.off(s, handlers[s]);
          throw err;
        }
        if (stopRequested) stop(daemon, stopRequested);
        else {
          if (reloadRequested) void daemon.reload();
          if (flushRequested) flush(daemon);
        }
        const code = await done;
        setTimeout(() => {
          log?.warn('the daemon stopped but something kept the process alive; exiting');
          process.exit(code);
        }, EXIT_GRACE_MS).unref();
        return code;
      }),
    );
}
