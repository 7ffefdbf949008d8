// `tdfwd migrate --import-positions`: copies in_tail pos_file positions into the tdfwd buffer, under
// the source keys tdfwd's tail reads (`tail:<path>`), so that the first `tdfwd run` resumes every
// file where td-agent stopped: no line lost, none read twice. Holds the daemon lock while it writes,
// so it refuses while a daemon runs on that buffer; a position tdfwd already has is kept (it is
// newer than td-agent's, or the switch happened already).
import { mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import type { BufferConfig } from '../config/types.js';
import type { PositionUpdate } from '../core/sink.js';
import { DaemonLock } from '../daemon/lock.js';
import { openStore } from '../daemon/open-store.js';
import { sourceOf } from '../inputs/tail/start-position.js';
import type { PosFileRef } from './model.js';
import { parsePosFile } from './pos-file.js';

export interface ImportReport {
  imported: number;
  kept: number;
  /** One sentence per problem (a missing pos_file, a bad line). */
  problems: string[];
}

export async function importPositions(refs: readonly PosFileRef[], buffer: BufferConfig): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, kept: 0, problems: [] };
  const updates: PositionUpdate[] = [];
  for (const ref of refs) {
    const file = isAbsolute(ref.posFile) ? ref.posFile : resolve(dirname(ref.file), ref.posFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      report.problems.push(
        code === 'ENOENT'
          ? `pos_file ${file} does not exist: its files start as a new tail does (at their end, unless read_from_head)`
          : `pos_file ${file} cannot be read: ${(err as Error).message}`,
      );
      continue;
    }
    const parsed = parsePosFile(text);
    for (const p of parsed.problems) report.problems.push(`pos_file ${file}: ${p}`);
    for (const e of parsed.entries) updates.push({ source: sourceOf(e.path), inode: e.inode, offset: e.offset });
  }
  mkdirSync(buffer.path, { recursive: true, mode: 0o700 });
  const lock = DaemonLock.acquire(buffer.path);
  try {
    const store = openStore(buffer);
    try {
      const fresh = updates.filter((u) => store.getPosition(u.source) === undefined);
      report.kept = updates.length - fresh.length;
      if (fresh.length > 0) store.savePositions(fresh);
      report.imported = fresh.length;
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
  return report;
}
