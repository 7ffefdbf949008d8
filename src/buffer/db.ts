// Opening buffer.db: directory and file created owner-only (0700/0600), WAL journal, the configured
// synchronous level, foreign keys, a busy timeout so a `send` and a daemon can share the file, and the
// numbered migrations.
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { DiskFullError, TdfwdError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';
import { accessError, isAccessDenied } from './access.js';

import type { SyncMode } from '../core/buffer-policy.js';

export type { SyncMode };
export type Db = Database.Database;

export const DB_FILE = 'buffer.db';

/**
 * SQLite could not write because the disk or the file system quota is full (ENOSPC, EDQUOT):
 * SQLITE_FULL, or an I/O error (e.g. growing the WAL index, SQLITE_IOERR_SHMSIZE) while the file
 * system holding `dir` has no space left.
 */
export function isDiskFull(err: unknown, dir?: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return true;
  if (dir === undefined || typeof code !== 'string' || !code.startsWith('SQLITE_IOERR')) return false;
  try {
    return statfsSync(dir).bavail === 0;
  } catch {
    return false;
  }
}

export function openDb(dir: string, sync: SyncMode = 'full'): Db {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const denied = isAccessDenied(err) ? accessError(dir) : null;
    if (denied) throw denied;
    throw new TdfwdError('IO', `cannot create the buffer directory ${dir}: ${(err as Error).message}`);
  }
  const file = join(dir, DB_FILE);
  if (!existsSync(file)) {
    // Create it 0600 before SQLite does, so it never exists with a wider mode.
    try {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    } catch (err) {
      const denied = isAccessDenied(err) ? accessError(dir) : null;
      if (denied) throw denied;
      throw new TdfwdError('IO', `cannot create ${file}: ${(err as Error).message}`);
    }
  }
  let db: Db;
  try {
    db = new Database(file, { timeout: 15_000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -4000'); // 4 MB page cache: bounded whatever the backlog (blobs stream through it)
    db.pragma('temp_store = MEMORY');
    // Parts are inserted, then deleted when their chunk is sealed: a larger WAL lets freed pages be reused
    // before a checkpoint copies them, so most raw bytes reach the WAL once and the database file never.
    db.pragma('wal_autocheckpoint = 16384');
    migrate(db);
  } catch (err) {
    if (err instanceof TdfwdError) throw err;
    const e = err as Error & { code?: string };
    const denied = isAccessDenied(e) ? accessError(dir) : null;
    if (denied) throw denied;
    if (isDiskFull(e, dir)) throw new DiskFullError(dir);
    if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') {
      throw new TdfwdError('BUFFER_CORRUPT', `${file} is not a tdfwd buffer or is damaged (${e.message}); move it aside and start again`);
    }
    throw new TdfwdError('IO', `cannot open the buffer ${file}: ${e.message}`);
  }
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new TdfwdError('BUFFER_CORRUPT', `the buffer was written by a newer tdfwd (schema ${current}); upgrade tdfwd`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      // Another process may have migrated since we looked: re-read under the write lock.
      if ((db.pragma('user_version', { simple: true }) as number) > v) return;
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
