// Fan-out (`routing: copy`): a queued chunk whose tag several outputs match becomes one delivery row
// per output, in one transaction. The chunk keeps its key for the first output (the one first-match
// routing would have chosen, so an attempt it already made is re-sent under the same key); each other
// output gets a copy whose key derives from it and the output's name (the same keys again if a crash
// rolled the fan-out back). The payload moves to shared_payloads, read by every copy and deleted with
// the last one (migrations.ts, 4). Copies start with no attempts: each output has its own retries.
import { createHash } from 'node:crypto';
import type { StoreContext } from './context.js';

/** The key of a chunk's copy for `output`: deterministic, 32 lowercase hex. */
export function copyChunkKey(key: string, output: string): string {
  return createHash('sha256').update(`${key}/copy/${output}`).digest('hex').slice(0, 32);
}

export class FanOut {
  readonly #c: StoreContext;

  constructor(c: StoreContext) {
    this.#c = c;
  }

  /** The queued copies, by output and tag (what each output's worker leases besides its tags). */
  queuedCopies(): { output: string; tag: string }[] {
    return this.#c.st.queuedCopies.all();
  }

  /**
   * Give every queued chunk of `tag` not yet given to an output one row per output of `outputs` (in
   * routing order, at least two). Returns how many chunks were fanned out.
   */
  fanOut(tag: string, outputs: readonly string[]): number {
    const c = this.#c;
    const [first, ...others] = outputs;
    if (first === undefined || others.length === 0) return 0;
    c.assertOpen();
    let n = 0;
    c.immediate(() => {
      for (const row of c.st.unassignedOfTag.all(tag)) {
        const moved = c.st.sharePayload.run(row.id);
        if (moved.changes !== 1) continue; // no payload: left as it is (a lease parks it, saying so)
        const shared = Number(moved.lastInsertRowid);
        c.st.deletePayload.run(row.id);
        c.st.assignOutput.run(first, shared, row.id);
        for (const output of others) {
          c.st.insertCopy.run(copyChunkKey(row.key, output), row.tag, row.records, row.raw_bytes, row.stored_bytes, row.created_at, row.sealed_at, row.key, output, shared);
        }
        n++;
      }
    });
    return n;
  }
}
