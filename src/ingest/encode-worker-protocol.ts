// Messages between the encode pool (main thread) and its worker: one request per job, answered in
// order with the encoded parts (their ArrayBuffers transferred, not copied).
import type { DeflatedInfo } from '../core/sink.js';

export interface EncodeWorkerData {
  /** A part is cut once it holds this many bytes or records (the buffer's part limits). */
  partBytes: number;
  partRecords: number;
}

export interface EncodeRequest {
  kind: 'lines';
  id: number;
  tag: string;
  format: string;
  timeKey?: string;
  maxLineBytes: number;
  lead?: string;
  /** The block's bytes are block[byteOffset, byteOffset + length). */
  block: ArrayBuffer;
  byteOffset: number;
  length: number;
  nowSec: number;
}

/** PackedForward entries (a forward input's job): decoded into records with an integer `time`. */
export interface EntriesRequest {
  kind: 'entries';
  id: number;
  tag: string;
  /** The entries are block[byteOffset, byteOffset + length). */
  block: ArrayBuffer;
  byteOffset: number;
  length: number;
  nowSec: number;
}

export type WorkerRequest = EncodeRequest | EntriesRequest;

export interface EncodedPartMessage {
  tag: string;
  /** The part is data[0, length). */
  data: ArrayBuffer;
  length: number;
  records: number;
  /** Parts leave the worker as deflate segments of their records. */
  deflated: DeflatedInfo;
}

export type EncodeReply =
  | { id: number; ok: true; kind: 'lines'; parts: EncodedPartMessage[]; lines: number; parseErrors: number; truncatedLines: number; block: ArrayBuffer }
  | { id: number; ok: true; kind: 'entries'; parts: EncodedPartMessage[]; records: number; skipped: number; block: ArrayBuffer }
  | { id: number; ok: false; message: string };
