// Wraps a command's action: a TdfwdError becomes its sentence on stderr and its exit code; anything
// else is a bug and keeps its stack trace.
import { EXIT_INCOMPLETE, isTdfwdError } from '../core/errors.js';

export type Action<A extends unknown[]> = (...args: A) => Promise<number | void>;

export function action<A extends unknown[]>(fn: Action<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      if (isTdfwdError(err)) {
        process.stderr.write(`tdfwd: ${err.message}\n`);
        process.exitCode = err.exitCode;
        return;
      }
      process.stderr.write(`tdfwd: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT_INCOMPLETE;
    }
  };
}
