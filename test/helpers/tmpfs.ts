// A small tmpfs mounted on a temp dir: a real file system that fills up, for the disk-full tests.
// Mounting needs root (CAP_SYS_ADMIN) on Linux; where it is refused, `tmpfsAvailable` is false and
// those tests are reported as skipped, with the reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Grow (or shrink) the file system: "space is freed". */
  resize(kb: number): void;
  unmount(): void;
}

function run(args: string[]): boolean {
  return spawnSync(args[0] as string, args.slice(1), { stdio: 'ignore' }).status === 0;
}

export function mountTmpfs(kb: number): Tmpfs | null {
  if (process.platform !== 'linux') return null;
  const dir = mkdtempSync(join(tmpdir(), 'tdfwd-tmpfs-'));
  if (!run(['mount', '-t', 'tmpfs', '-o', `size=${kb}k,mode=0700`, 'tmpfs', dir])) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  let mounted = true;
  return {
    dir,
    resize(size) {
      if (!run(['mount', '-o', `remount,size=${size}k`, dir])) throw new Error(`could not resize the tmpfs at ${dir}`);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      run(['umount', '-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this machine lets the tests mount a tmpfs (checked once). */
export const tmpfsAvailable: boolean = (() => {
  const probe = mountTmpfs(64);
  probe?.unmount();
  return probe !== null;
})();
