// The seal queue: chunks closed to appends (`sealing`) waiting for their payload to be compressed.
// Owns the queue, the one seal running at a time, the first seal failure (rethrown by drainSeals) and
// the chunks whose seal failed (sealed again at the next sealOpen). A chunk is `sealing` under a lease
// of this process (lease_owner, lease_expires = now + 5 min); a chunk left `sealing` by a process that
// died, or whose seal lease expired, is claimed and sealed by the next sealOpen. The seal's commit
// (state `queued`, the payload stored, the parts deleted) is one transaction, so a chunk is either
// still sealing with its parts or queued with its payload.
import { DiskFullError, TdfwdError } from '../core/errors.js';
import type { StoredPart } from '../core/sink.js';
import type { StoreContext } from './context.js';
import { ownerIsDead } from './owner.js';
import { storedPart } from './rows.js';

const SEAL_LEASE_MS = 5 * 60_000;

export type Compress = (nextPart: () => StoredPart | null) => Promise<Buffer>;

export class SealQueue {
  readonly #c: StoreContext;
  readonly #compress: Compress;
  #queue: number[] = [];
  #sealing: Promise<void> | null = null;
  #error: Error | null = null;
  /** Chunks whose seal failed (e.g. a full disk): sealed again at the next sealOpen. */
  readonly #retry = new Set<number>();

  constructor(c: StoreContext, compress: Compress) {
    this.#c = c;
    this.#compress = compress;
  }

  /** open → sealing, under this process's seal lease. Run inside the caller's write transaction. */
  markSealing(id: number, now: number): void {
    this.#c.st.markSealing.run(this.#c.owner, now + SEAL_LEASE_MS, id);
  }

  /** Seal a chunk already marked `sealing` by this process, in the background. */
  enqueue(id: number): void {
    this.#queue.push(id);
    if (!this.#sealing) this.#sealing = this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#c.closed) {
        const id = this.#queue.shift() as number;
        try {
          await this.#sealOne(id);
        } catch (err) {
          // The chunk stays `sealing` with its parts on disk: sealed again at the next sealOpen (the
          // seal timer's), or by the next process if this one ends first.
          this.#error = err as Error;
          this.#retry.add(id);
        }
      }
    } finally {
      this.#sealing = null;
    }
  }

  async #sealOne(id: number): Promise<void> {
    const c = this.#c;
    let after = 0;
    const payload = await this.#compress(() => {
      if (c.closed) return null;
      const row = c.st.nextPartOf.get(id, after);
      if (!row) return null;
      after = row.rowid;
      return storedPart(row);
    });
    if (c.closed) return;
    c.immediate(() => {
      const done = c.st.completeSeal.run(c.now(), payload.length, id, c.owner);
      if (done.changes === 1) {
        c.st.insertPayload.run(id, payload);
        c.st.deleteParts.run(id);
      }
    });
  }

  /**
   * Seal open chunks (all, or those created before `olderThan` ms epoch) and any chunk left `sealing`
   * by a process that died; resolves when every seal has been committed.
   */
  async sealOpen(olderThan: number): Promise<void> {
    const c = this.#c;
    c.assertOpen();
    const now = c.now();
    const ids: number[] = [];
    c.immediate(() => {
      for (const row of c.st.openChunks.all()) {
        if (row.created_at <= olderThan) {
          this.markSealing(row.id, now);
          ids.push(row.id);
        }
      }
      for (const row of c.st.sealingChunks.all()) {
        if (row.lease_owner === c.owner) continue;
        if (ownerIsDead(row.lease_owner) || (row.lease_expires ?? 0) < now) {
          if (c.st.claimSealing.run(c.owner, now + SEAL_LEASE_MS, row.id, row.lease_owner).changes === 1) ids.push(row.id);
        }
      }
    });
    for (const id of this.#retry) ids.push(id);
    this.#retry.clear();
    for (const id of ids) this.enqueue(id);
    await this.drain();
  }

  /** Wait for pending seals; rethrows the first seal failure. */
  async drain(): Promise<void> {
    while (this.#sealing) await this.#sealing;
    if (this.#error) {
      const err = this.#error;
      this.#error = null;
      if (err instanceof DiskFullError) throw err;
      throw new TdfwdError('IO', `sealing a chunk failed: ${err.message}`);
    }
  }
}
