// `tdfwd migrate --import-positions`: the in_tail pos_file positions, as the source keys tdfwd's tail
// reads (`tail:<path>`), and their import into a position store, so that the first `tdfwd run`
// resumes every file where td-agent stopped: no line lost, none read twice. A position the store
// already has is kept (it is newer than td-agent's, or the switch happened already). The caller
// opens the buffer, holding the daemon lock.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { PositionUpdate } from '../core/sink.js';
import { sourceOf } from '../inputs/tail/start-position.js';
import type { PosFileRef } from './model.js';
import { parsePosFile } from './pos-file.js';

export interface PositionStore {
  getPosition(source: string): unknown;
  savePositions(positions: readonly PositionUpdate[]): void;
}

export interface PosFilePositions {
  updates: PositionUpdate[];
  /** One sentence per problem (a missing pos_file, a bad line). */
  problems: string[];
}

/** Reads every pos_file (a relative one from the directory of the file that names it). */
export function readPositions(refs: readonly PosFileRef[]): PosFilePositions {
  const out: PosFilePositions = { updates: [], problems: [] };
  for (const ref of refs) {
    const file = isAbsolute(ref.posFile) ? ref.posFile : resolve(dirname(ref.file), ref.posFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      out.problems.push(
        code === 'ENOENT'
          ? `pos_file ${file} does not exist: its files start as a new tail does (at their end, unless read_from_head)`
          : `pos_file ${file} cannot be read: ${(err as Error).message}`,
      );
      continue;
    }
    const parsed = parsePosFile(text);
    for (const p of parsed.problems) out.problems.push(`pos_file ${file}: ${p}`);
    for (const e of parsed.entries) out.updates.push({ source: sourceOf(e.path), inode: e.inode, offset: e.offset });
  }
  return out;
}

/** Saves the positions the store does not have yet, in one transaction. */
export function importPositions(store: PositionStore, updates: readonly PositionUpdate[]): { imported: number; kept: number } {
  const fresh = updates.filter((u) => store.getPosition(u.source) === undefined);
  if (fresh.length > 0) store.savePositions(fresh);
  return { imported: fresh.length, kept: updates.length - fresh.length };
}
