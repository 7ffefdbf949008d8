// What a filter compiles to for one tag: the same edit on both ways in, a record object (inputs that
// hold objects) and a MapView over msgpack bytes (blocks from the encoders), with the same result.
// Constant bytes a step writes (packed keys and values) go to the tag's pool while it compiles.
import type { LogRecord } from '../core/record.js';
import { packOne } from '../codec/msgpack.js';
import type { MapView } from './map-view.js';

export const KEEP = 0;
export const DROP = 1;
/** The bytes cannot be edited exactly as the object would be (a key there twice): decode this record. */
export const DECODE = 2;
export type Verdict = typeof KEEP | typeof DROP | typeof DECODE;

export interface Step {
  /** The filter's place in the config, `filters[1]`: the metrics label of its drops. */
  readonly label: string;
  /** Some key it writes is an array index ("0"): the record is edited as an object (key order). */
  readonly objectOnly: boolean;
  /** May change (or replace) the record it is given; null drops it. */
  record(r: LogRecord): LogRecord | null;
  pairs(v: MapView): Verdict;
}

/** A msgpack key or value in the pool: [start, content start (after a str header), end). */
export interface Packed {
  start: number;
  content: number;
  end: number;
}

/** The constant bytes of one tag's compiled chain. */
export class Pool {
  #parts: Buffer[] = [];
  #len = 0;

  add(value: unknown): Packed {
    const bytes = Buffer.from(packOne(value)); // packOne's result is only valid until the next pack
    const start = this.#len;
    this.#parts.push(bytes);
    this.#len += bytes.length;
    return { start, content: start + strHeaderSize(bytes[0] as number), end: this.#len };
  }

  take(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

function strHeaderSize(b: number): number {
  if (b >= 0xa0 && b <= 0xbf) return 1;
  if (b === 0xd9) return 2;
  if (b === 0xda) return 3;
  if (b === 0xdb) return 5;
  return 0;
}

/** UTF-8 of a key, to compare with keys in the bytes. */
export function utf8(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

export function hasOwn(r: LogRecord, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(r, key);
}
