// Whether some process is delivering from a buffer right now, for `tdfwd status`: a daemon whose pid
// file names a live process, or a chunk leased by a process that is not known to be gone (a flush).
// Without one, a recorded "next attempt" that is due will not happen until the next flush or daemon.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerIsDead, pidAlive } from '../buffer/owner.js';
import { LOCK_FILE } from '../daemon/lock.js';

export function someoneDelivering(dir: string, leaseOwners: readonly (string | null)[]): boolean {
  return daemonRunning(dir) || leaseOwners.some((owner) => owner !== null && !ownerIsDead(owner));
}

function daemonRunning(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pidAlive(pid);
  } catch {
    return false; // no pid file: no daemon
  }
}
