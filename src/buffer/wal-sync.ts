// Group commit for `sync: full`: appends from inputs commit without SQLite's own fsync (synchronous =
// NORMAL for that transaction), and the WAL file is then fsynced here, on libuv's thread pool, before
// any source is acknowledged. SQLite's FULL does exactly that fsync of the WAL at each commit, but on
// the committing (main) thread, which then reads and commits nothing for the length of the disk's
// flush; here the thread goes on while the disk works.
//
// An fsync starts as soon as an append needs one, so an ack waits for one flush of the disk, not for
// the flushes of the appends before it; at most MAX_RUNNING run at once (they hold thread-pool threads
// that compression needs too), and the appends committed while they are all busy share the next one.
// Durable before acknowledged holds: a caller of whenDurable() is answered by an fsync that began
// after its append had committed (fsync makes durable everything written to the file before it began).
//
// Owns the WAL file handle (opened at the first sync). States: idle → syncing (1..MAX_RUNNING, plus
// at most one queued) → idle.
import { open, type FileHandle } from 'node:fs/promises';

/** fsyncs in flight at once; the thread pool has 4 threads by default. */
const MAX_RUNNING = 2;

interface Run {
  /** Appends committed when it began: it makes them all durable. */
  covers: number;
  done: Promise<void>;
}

export class WalSync {
  readonly #path: string;
  #file: Promise<FileHandle> | null = null;
  /** Appends committed so far, and how many of them are known to be on disk. */
  #written = 0;
  #synced = 0;
  readonly #running = new Set<Run>();
  /** The fsync that starts when a running one ends, shared by everyone who asked meanwhile. */
  #queued: { done: Promise<void>; start: () => void } | null = null;
  #syncs = 0;

  constructor(walPath: string) {
    this.#path = walPath;
  }

  /** fsyncs begun so far (fewer than appends when they were grouped). */
  get syncs(): number {
    return this.#syncs;
  }

  /** An append committed without fsync (call right after its transaction). */
  written(): void {
    this.#written++;
  }

  /** Resolves once every append committed before this call is on disk. */
  whenDurable(): Promise<void> {
    const target = this.#written;
    if (this.#synced >= target) return Promise.resolve();
    for (const run of this.#running) if (run.covers >= target) return run.done;
    if (this.#running.size < MAX_RUNNING) return this.#start().done;
    if (this.#queued === null) {
      let start: () => void = () => {};
      const done = new Promise<void>((resolve, reject) => {
        start = () => this.#start().done.then(resolve, reject);
      });
      this.#queued = { done, start };
    }
    return this.#queued.done;
  }

  /** Waits for the fsyncs in flight, then closes the file (before the database is closed). */
  async close(): Promise<void> {
    while (this.#running.size > 0 || this.#queued !== null) {
      await Promise.allSettled([...this.#running].map((r) => r.done).concat(this.#queued ? [this.#queued.done] : []));
    }
    const file = this.#file;
    this.#file = null;
    if (file) await (await file).close();
  }

  #start(): Run {
    const covers = this.#written;
    this.#syncs++;
    const run: Run = { covers, done: Promise.resolve() };
    run.done = this.#sync().then(
      () => {
        if (covers > this.#synced) this.#synced = covers;
        this.#finished(run);
      },
      (err: unknown) => {
        this.#finished(run);
        throw err;
      },
    );
    this.#running.add(run);
    return run;
  }

  #finished(run: Run): void {
    this.#running.delete(run);
    const next = this.#queued;
    if (next === null) return;
    this.#queued = null;
    next.start();
  }

  async #sync(): Promise<void> {
    this.#file ??= open(this.#path, 'r');
    await (await this.#file).datasync();
  }
}
