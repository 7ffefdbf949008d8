// One daemon per buffer: a pid file created exclusively in the buffer directory. A pid file left by a
// process that no longer exists is taken over; one held by a live process refuses the start.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TdfwdError } from '../core/errors.js';
import { pidAlive } from '../buffer/owner.js';

export const LOCK_FILE = 'daemon.pid';

/** The pid a daemon's pid file in `dir` names, if that process is alive (and is not this one). */
export function runningDaemonPid(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid) ? pid : null;
  } catch {
    return null; // no pid file: no daemon
  }
}

export class DaemonLock {
  readonly #file: string;
  #held = false;

  private constructor(file: string) {
    this.#file = file;
  }

  static acquire(dir: string): DaemonLock {
    const file = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        const lock = new DaemonLock(file);
        lock.#held = true;
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new TdfwdError('IO', `cannot create ${file}: ${(err as Error).message}`);
        }
        const pid = runningDaemonPid(dir);
        if (pid !== null) {
          throw new TdfwdError('BUFFER_LOCKED', `another tdfwd daemon (pid ${pid}) is running on the buffer ${dir}; stop it first or use another buffer.path`);
        }
        try {
          unlinkSync(file); // stale: its process is gone
        } catch {
          // someone else removed it first; try again
        }
      }
    }
    throw new TdfwdError('BUFFER_LOCKED', `cannot take the daemon lock ${file}`);
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      if (Number(readFileSync(this.#file, 'utf8').trim()) === process.pid) unlinkSync(this.#file);
    } catch {
      // already gone
    }
  }
}
