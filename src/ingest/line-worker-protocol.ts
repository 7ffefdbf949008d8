// Messages between `tdfwd send` and its line worker.

export interface LineWorkerData {
  fd: number;
  format: string;
  timeKey?: string;
  partBytes: number;
  partRecords: number;
  maxInflight: number;
}

export type FromWorker =
  | { type: 'part'; data: ArrayBuffer; records: number; lines: number; parseErrors: number; bytes: number }
  | { type: 'end'; lines: number; parseErrors: number; bytes: number; truncatedLines: number; interrupted: boolean }
  | { type: 'error'; message: string };

export type ToWorker = { type: 'ack' } | { type: 'stop' };
