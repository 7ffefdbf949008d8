// Messages between `tdfwd send` (the main thread: reads stdin, cuts it into blocks of lines, commits)
// and its line workers (split, parse, encode).
import type { DeflatedInfo } from '../core/sink.js';

export interface LineWorkerData {
  format: string;
  timeKey?: string;
  partBytes: number;
  partRecords: number;
}

export interface WorkerPart {
  /** A deflate segment of the part's records: data[0, length). */
  data: ArrayBuffer;
  length: number;
  records: number;
  deflated?: DeflatedInfo;
}

export type ToWorker =
  /**
   * Bytes of the input, in order for this worker. A block normally ends with "\n"; one that does not
   * (a line longer than a block) is continued by the next block sent to the same worker. `final`:
   * the end of the input, so an unterminated last line is a line too.
   */
  { type: 'block'; seq: number; chunk: ArrayBuffer; final: boolean };

export type FromWorker =
  | { type: 'parts'; seq: number; parts: WorkerPart[]; lines: number; parseErrors: number; truncatedLines: number }
  | { type: 'error'; message: string };
