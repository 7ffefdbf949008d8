// Forgets the tail positions of files that are gone, so the positions table does not grow with every
// file a glob ever matched (container logs, dated file names), as fluentd's pos_file compaction and
// Fluent Bit's database cleanup do. A stale position is also a hazard: a new file that reuses a
// deleted file's path and inode would resume at the old offset.
//
// A position is forgotten when no commit has moved it for `staleMs` (24 h in the daemon) and its path
// is missing at two sweeps in a row (an hour apart in the daemon), so a volume that is briefly
// unmounted, or not mounted yet, does not lose the positions of the files on it. A path that exists,
// or cannot be checked (e.g. permission denied), keeps its position.
//
// Owns the candidates: the sources found missing at the last sweep.
import { statSync } from 'node:fs';
import type { ChunkStore } from '../buffer/store.js';
import { pathOfSource } from '../inputs/tail/start-position.js';

export type PositionStore = Pick<ChunkStore, 'stalePositions' | 'deleteStalePosition'>;

export class PositionSweep {
  readonly #store: PositionStore;
  readonly #staleMs: number;
  #candidates = new Set<string>();

  constructor(store: PositionStore, staleMs: number) {
    this.#store = store;
    this.#staleMs = staleMs;
  }

  /** One sweep; returns the paths whose positions were forgotten. */
  sweep(now: number): string[] {
    const before = now - this.#staleMs;
    const missing = new Set<string>();
    const forgotten: string[] = [];
    for (const source of this.#store.stalePositions(before)) {
      const path = pathOfSource(source);
      if (path === null || !isMissing(path)) continue;
      if (!this.#candidates.has(source)) missing.add(source);
      else if (this.#store.deleteStalePosition(source, before)) forgotten.push(path);
    }
    this.#candidates = missing;
    return forgotten;
  }
}

function isMissing(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false; // cannot tell (EACCES, ENOTDIR under a file, ...): keep it
  }
}
