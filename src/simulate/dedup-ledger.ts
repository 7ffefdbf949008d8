// The modelled endpoint's de-duplication of unique_ids: a chunk imported within `windowMs` of its last
// import is not imported again (a dedup hit); after the window, it is imported again — a duplicate,
// as in 2019 when the window was 20 minutes. Owns per chunk id: last import time and import count, in
// growable typed arrays (millions of ids).

export type ImportVerdict = 'first' | 'dedup' | 'duplicate';

export class DedupLedger {
  readonly windowMs: number;
  #lastImportAt = new Float64Array(1024).fill(NaN);
  #imports = new Uint16Array(1024);
  imports = 0;
  dedupHits = 0;
  /** Imports of a chunk already imported before (each one a set of duplicated records). */
  duplicateImports = 0;
  duplicateRecords = 0;
  /** Distinct chunks imported more than once. */
  duplicatedChunks = 0;
  maxImportsPerChunk = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** Decide and record the import of chunk `id` (`records` records) completing at `at`. */
  import(id: number, records: number, at: number): ImportVerdict {
    this.#ensure(id);
    const last = this.#lastImportAt[id] as number;
    if (!Number.isNaN(last) && at - last < this.windowMs) {
      this.dedupHits++;
      return 'dedup';
    }
    const n = (this.#imports[id] as number) + 1;
    this.#imports[id] = Math.min(n, 65535);
    this.#lastImportAt[id] = at;
    this.imports++;
    if (n > this.maxImportsPerChunk) this.maxImportsPerChunk = n;
    if (n === 1) return 'first';
    this.duplicateImports++;
    this.duplicateRecords += records;
    if (n === 2) this.duplicatedChunks++;
    return 'duplicate';
  }

  importsOf(id: number): number {
    return id < this.#imports.length ? (this.#imports[id] as number) : 0;
  }

  #ensure(id: number): void {
    if (id < this.#imports.length) return;
    let n = this.#imports.length;
    while (n <= id) n *= 2;
    const last = new Float64Array(n).fill(NaN);
    last.set(this.#lastImportAt);
    const imports = new Uint16Array(n);
    imports.set(this.#imports);
    this.#lastImportAt = last;
    this.#imports = imports;
  }
}
