// Leases: how a sealed chunk is sent by one process at a time. Owns the `queued ⇄ inflight` moves and
// their ends (ack deletes, release and unlease re-queue, park, split), each guarded by this process's
// lease (`WHERE state = 'inflight' AND lease_owner = ?`) so a process that lost a lease cannot act on
// the chunk. A lease whose owner died on this host is reclaimed at once, others when they expire; a
// reclaimed chunk is in doubt (the dead attempt may have reached the endpoint).
import type { SealedChunk } from '../core/chunk.js';
import type { StoreContext } from './context.js';
import { ownerIsDead } from './owner.js';
import { toSealed } from './rows.js';

/** A sealed half of a split chunk (delivery/queue.ts's SplitHalf, which the buffer may not import). */
export interface SealedHalf {
  key: string;
  records: number;
  rawBytes: number;
  payload: Buffer;
}

export class Leases {
  readonly #c: StoreContext;

  constructor(c: StoreContext) {
    this.#c = c;
  }

  /** Tags that have queued chunks routed by tag (so a caller can match them against output patterns). */
  queuedTags(): string[] {
    return this.#c.st.queuedTags.all().map((r) => r.tag);
  }

  /** Return leases of dead owners (at once) and expired leases to `queued`, in doubt. */
  reclaim(): number {
    const c = this.#c;
    const now = c.now();
    let n = 0;
    c.immediate(() => {
      for (const row of c.st.inflightChunks.all()) {
        if (row.lease_owner === c.owner) continue;
        if (row.lease_expires < now || ownerIsDead(row.lease_owner)) n += c.st.reclaim.run(now, row.id, row.lease_owner).changes;
      }
    });
    return n;
  }

  /**
   * Lease up to `limit` queued chunks of the given tags (those routed by tag) and, with `copies`, the
   * fan-out copies of its tags given to its output; in-doubt chunks first, then oldest first. Each
   * lease counts an attempt. The payload is read outside the write transaction.
   */
  lease(limit: number, tags: readonly string[], leaseMs: number, copies?: { output: string; tags: readonly string[] }): SealedChunk[] {
    const c = this.#c;
    c.assertOpen();
    const copyTags = copies?.tags ?? [];
    if (limit <= 0 || (tags.length === 0 && copyTags.length === 0)) return [];
    const now = c.now();
    const list = (n: number): string => Array.from({ length: n }, () => '?').join(',');
    const pick = c.db.prepare<unknown[], { id: number }>(
      `SELECT id FROM chunks WHERE state = 'queued'
         AND ((output IS NULL AND tag IN (${list(tags.length)})) OR (output = ? AND tag IN (${list(copyTags.length)})))
       ORDER BY in_doubt_since IS NULL, in_doubt_since, created_at, id LIMIT ?`,
    );
    const ids: number[] = [];
    c.immediate(() => {
      for (const row of pick.all(...tags, copies?.output ?? null, ...copyTags, limit)) {
        if (c.st.takeLease.run(c.owner, now + leaseMs, now, now, row.id).changes === 1) ids.push(row.id);
      }
    });
    const out: SealedChunk[] = [];
    for (const id of ids) {
      const row = c.st.chunkById.get(id);
      const payload = c.st.payloadOf.get(id, id)?.data;
      if (!row || !payload) {
        this.park(id, 'the sealed payload is missing from the buffer');
        continue;
      }
      out.push(toSealed(row, payload));
    }
    return out;
  }

  /** Delivered: delete the chunk. False if this process no longer holds its lease. */
  ack(id: number): boolean {
    const c = this.#c;
    return c.guard(() => c.st.ack.run(id, c.owner).changes === 1);
  }

  /** Back to `queued` after a retryable outcome; `inDoubt` records the first in-doubt time. */
  release(id: number, error: string | null, inDoubt: boolean): boolean {
    const c = this.#c;
    return c.guard(() => c.st.release.run(error, inDoubt ? 1 : 0, c.now(), id, c.owner).changes === 1);
  }

  /** Back to `queued` after an attempt this process interrupted: no failure recorded, but in doubt. */
  unlease(id: number): boolean {
    const c = this.#c;
    return c.guard(() => c.st.unlease.run(c.now(), id, c.owner).changes === 1);
  }

  park(id: number, reason: string): boolean {
    const c = this.#c;
    return c.guard(() => c.st.park.run(reason, c.now(), id, c.owner).changes === 1);
  }

  /** Replace a leased chunk by sealed halves (a 413 split), in one transaction; a copy's halves stay its output's. */
  split(parent: SealedChunk, halves: readonly SealedHalf[]): number[] {
    const c = this.#c;
    const ids: number[] = [];
    c.immediate(() => {
      const row = c.st.chunkById.get(parent.id);
      if (!row || row.state !== 'inflight' || row.lease_owner !== c.owner) return;
      c.st.deleteChunk.run(parent.id);
      const now = c.now();
      for (const h of halves) {
        const id = Number(c.st.insertSealed.run(h.key, parent.tag, h.records, h.rawBytes, h.payload.length, parent.createdAt, now, parent.key, row.output).lastInsertRowid);
        c.st.insertPayload.run(id, h.payload);
        ids.push(id);
      }
    });
    return ids;
  }

  /** At close: chunks this process still leases go back to `queued`, in doubt since their last attempt. */
  releaseOwn(): void {
    const c = this.#c;
    c.st.releaseOwner.run(c.owner);
  }
}
