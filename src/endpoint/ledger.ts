// The dedup ledger: which keys (unique_id or Idempotency-Key) were imported, when last, and how often.
// A key's state is: unseen → imported (within window: repeats are dedup hits) → expired (window
// passed: the next import is a real duplicate, counted, and reopens the window). The check that
// decides "import or dedup hit" runs synchronously at commit time, so two concurrent requests with
// the same key can never both import within the window.

export type LedgerVerdict = 'first' | 'dedup' | 'duplicate';

interface Entry {
  imports: number;
  lastImportAt: number;
}

export class DedupLedger {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #seen = new Set<string>();
  #maxImports = 0;

  constructor(windowMs: number, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Note that a request carried this key, whatever becomes of it. */
  see(key: string): void {
    this.#seen.add(key);
  }

  /** True if the key was imported within the window: the request must not import again. */
  isFresh(key: string): boolean {
    const e = this.#entries.get(key);
    return e !== undefined && this.#now() - e.lastImportAt < this.#windowMs;
  }

  /** Decide and record in one step: 'dedup' imports nothing; 'first'/'duplicate' import. */
  commit(key: string): LedgerVerdict {
    const now = this.#now();
    const e = this.#entries.get(key);
    if (e === undefined) {
      this.#entries.set(key, { imports: 1, lastImportAt: now });
      if (this.#maxImports < 1) this.#maxImports = 1;
      return 'first';
    }
    if (now - e.lastImportAt < this.#windowMs) return 'dedup';
    e.imports++;
    e.lastImportAt = now;
    if (e.imports > this.#maxImports) this.#maxImports = e.imports;
    return 'duplicate';
  }

  get uniqueIds(): number {
    return this.#entries.size;
  }

  get keysSeen(): number {
    return this.#seen.size;
  }

  get maxImportsPerId(): number {
    return this.#maxImports;
  }

  importsById(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, e] of this.#entries) out.set(k, e.imports);
    return out;
  }
}
