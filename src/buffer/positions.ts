// Source positions (tail offsets and inodes): written by append in the same transaction as the
// records they produced (durable before acknowledged); read by the tail input at start, and forgotten
// by the daemon's sweep once their file is gone and nothing moved them for a while.
import type { StoreContext } from './context.js';

export interface StoredPosition {
  source: string;
  inode: string | null;
  offset: number;
  headLen: number | null;
  headCrc: number | null;
}

export class Positions {
  readonly #c: StoreContext;

  constructor(c: StoreContext) {
    this.#c = c;
  }

  get(source: string): StoredPosition | undefined {
    return this.#c.st.getPosition.get(source);
  }

  all(): StoredPosition[] {
    return this.#c.st.allPositions.all();
  }

  /** Sources whose position was last committed before `before` (ms since the epoch). */
  stale(before: number): string[] {
    return this.#c.st.stalePositions.all(before).map((r) => r.source);
  }

  /** Forgets a source's position if it is still older than `before` (no commit moved it since). */
  deleteStale(source: string, before: number): boolean {
    const c = this.#c;
    c.assertOpen();
    return c.st.deleteStalePosition.run(source, before).changes > 0;
  }
}
