// What every part of the chunk store shares: the connection, its prepared statements, this process's
// owner id, the clock, and the two ways to write (a guarded statement, a BEGIN IMMEDIATE
// transaction), both turning SQLite's "database or disk is full" into a DiskFullError naming the
// buffer directory.
import { DiskFullError, TdfwdError } from '../core/errors.js';
import { isDiskFull, type Db } from './db.js';
import type { Statements } from './statements.js';

export class StoreContext {
  closed = false;

  constructor(
    readonly dir: string,
    readonly db: Db,
    readonly st: Statements,
    readonly owner: string,
    readonly now: () => number,
  ) {}

  /** One write transaction (BEGIN IMMEDIATE); a full disk becomes a DiskFullError. */
  immediate(fn: () => void): void {
    this.guard(() => this.db.transaction(fn).immediate());
  }

  /** Runs a write; SQLite's "database or disk is full" becomes a DiskFullError naming the buffer. */
  guard<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      if (isDiskFull(err, this.dir)) throw new DiskFullError(this.dir);
      throw err;
    }
  }

  assertOpen(): void {
    if (this.closed) throw new TdfwdError('IO', 'the buffer is closed');
  }
}
