// Counters of everything the endpoint answered and imported. Owned by one endpoint instance; the
// snapshot is a plain JSON-able object (also served at GET /_tdfwd/stats).
import type { DedupLedger } from './ledger.js';
import type { TableCatalog } from './catalog.js';
import type { EndpointStats } from './types.js';

export type FaultKind = 'down' | 'capacity' | 'forced' | 'failed';

export class EndpointCounters {
  requests = 0;
  dropped = 0;
  imports = 0;
  importedRecords = 0;
  importedBytes = 0;
  dedupHits = 0;
  duplicateImports = 0;
  duplicateRecords = 0;
  heldImports = 0;
  heldNow = 0;
  resetImports = 0;
  readonly byStatus = new Map<number, number>();
  readonly recordsByTable = new Map<string, number>();
  readonly faults = { down: 0, capacity: 0, forced: 0, failed: 0 };

  answered(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++;
  }

  imported(table: string, records: number, bytes: number, duplicate: boolean): void {
    this.imports++;
    this.importedRecords += records;
    this.importedBytes += bytes;
    this.recordsByTable.set(table, (this.recordsByTable.get(table) ?? 0) + records);
    if (duplicate) {
      this.duplicateImports++;
      this.duplicateRecords += records;
    }
  }

  snapshot(ledger: DedupLedger, catalog: TableCatalog): EndpointStats {
    const byStatus: Record<string, number> = {};
    for (const [s, n] of [...this.byStatus].sort((a, b) => a[0] - b[0])) byStatus[String(s)] = n;
    const recordsByTable: Record<string, number> = {};
    for (const [t, n] of this.recordsByTable) recordsByTable[t] = n;
    const tables = new Set([...catalog.list(), ...this.recordsByTable.keys()]);
    return {
      requests: this.requests,
      byStatus,
      dropped: this.dropped,
      imports: this.imports,
      importedRecords: this.importedRecords,
      importedBytes: this.importedBytes,
      dedupHits: this.dedupHits,
      duplicateImports: this.duplicateImports,
      duplicateRecords: this.duplicateRecords,
      heldImports: this.heldImports,
      heldNow: this.heldNow,
      resetImports: this.resetImports,
      faults: { ...this.faults },
      tables: [...tables].sort(),
      recordsByTable,
      uniqueIds: ledger.uniqueIds,
      keysSeen: ledger.keysSeen,
      maxImportsPerId: ledger.maxImportsPerId,
      dedupWindowMs: ledger.windowMs,
    };
  }
}
