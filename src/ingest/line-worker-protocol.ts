// Messages between `tdfwd send` (the main thread: reads stdin, commits) and its line worker (splits,
// parses, encodes).

export interface LineWorkerData {
  format: string;
  timeKey?: string;
  partBytes: number;
  partRecords: number;
}

export type FromWorker =
  | { type: 'part'; data: ArrayBuffer; records: number }
  /** One `data` message has been parsed: the main thread may read more. */
  | { type: 'consumed' }
  | { type: 'end'; lines: number; parseErrors: number; truncatedLines: number }
  | { type: 'error'; message: string };

export type ToWorker =
  | { type: 'data'; chunk: ArrayBuffer }
  /** End of input (or a stop): flush what is left and report the totals. */
  | { type: 'end'; complete: boolean }
  | { type: 'idle' };
