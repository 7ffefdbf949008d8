// FilterSlot: the block filter an encoder that outlives pipelines is given (the daemon's encoder lives
// across SIGHUP reloads, each pipeline has its own FilterChain). A pipeline puts its chain in the
// slot as its inputs start; the encoder always calls the slot.
//
// States: empty (inactive) → holding a chain (replaced at each reload).
import type { BlockFilter } from '../core/record-filter.js';

export class FilterSlot implements BlockFilter {
  #chain: BlockFilter | null = null;

  use(chain: BlockFilter): void {
    this.#chain = chain;
  }

  get active(): boolean {
    return this.#chain?.active ?? false;
  }

  applyBlock(tag: string, entries: Buffer, records: number, copy?: (bytes: Uint8Array) => Buffer): { entries: Buffer; records: number } {
    return this.#chain ? this.#chain.applyBlock(tag, entries, records, copy) : { entries, records };
  }
}
