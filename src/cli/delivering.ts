// Whether some process is delivering from a buffer right now, for `tdfwd status`: a daemon whose pid
// file names a live process, or a chunk leased by a process that is not known to be gone (a flush).
// Without one, a recorded "next attempt" that is due will not happen until the next flush or daemon.
import { ownerIsDead } from '../buffer/owner.js';
import { runningDaemonPid } from '../daemon/lock.js';

export function someoneDelivering(dir: string, leaseOwners: readonly (string | null)[]): boolean {
  return runningDaemonPid(dir) !== null || leaseOwners.some((owner) => owner !== null && !ownerIsDead(owner));
}
