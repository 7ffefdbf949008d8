// Who holds a lease: "host:pid:nonce". A lease whose holder is a process of this host that no longer
// exists is reclaimed at once (so a flush right after a kill -9 re-sends), others when they expire.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface OwnerId {
  host: string;
  pid: number;
  nonce: string;
}

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export function parseOwner(owner: string): OwnerId | undefined {
  const m = /^(.*):(\d+):([0-9a-f]+)$/.exec(owner);
  if (!m) return undefined;
  return { host: m[1] as string, pid: Number(m[2]), nonce: m[3] as string };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the owner is certainly gone: a process of this host that is no longer running. */
export function ownerIsDead(owner: string | null): boolean {
  if (!owner) return true;
  const id = parseOwner(owner);
  if (!id) return false;
  if (id.host !== hostname()) return false;
  if (id.pid === process.pid) return false;
  return !pidAlive(id.pid);
}
