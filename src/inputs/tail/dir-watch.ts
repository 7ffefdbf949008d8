// Wakes the tail input's poll loop when a directory of a followed file changes (inotify through
// fs.watch), so appends, rotations and new files are seen at once instead of at the next poll or glob
// refresh. Polling stays the ground truth: a directory that cannot be watched (inotify limits, a file
// system without events) or an event that is missed only costs latency.
//
// Owns the watchers (at most MAX_DIRS; they never keep the process alive). States: open → closed.
import { watch, type FSWatcher } from 'node:fs';

const MAX_DIRS = 256;

export type DirEvent = 'change' | 'rename';

export class DirWatch {
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #onEvent: (event: DirEvent) => void;
  #closed = false;

  constructor(onEvent: (event: DirEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** Directories watched now. */
  get size(): number {
    return this.#watchers.size;
  }

  watch(dir: string): void {
    if (this.#closed || this.#watchers.has(dir) || this.#watchers.size >= MAX_DIRS) return;
    try {
      const w = watch(dir, { persistent: false }, (event) => this.#onEvent(event === 'rename' ? 'rename' : 'change'));
      w.on('error', () => this.#forget(dir, w)); // e.g. the directory was removed: polling goes on
      this.#watchers.set(dir, w);
    } catch {
      // ENOENT, ENOSPC (inotify watch limit), EMFILE: polling covers it
    }
  }

  close(): void {
    this.#closed = true;
    for (const [dir, w] of this.#watchers) this.#forget(dir, w);
  }

  #forget(dir: string, w: FSWatcher): void {
    w.close();
    if (this.#watchers.get(dir) === w) this.#watchers.delete(dir);
  }
}
