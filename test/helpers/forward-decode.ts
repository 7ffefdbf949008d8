// The reference decoding of forward frames for the forward input's tests: every record decoded into
// an object (msgpackr) and given its event time by eventRecord, the way the input did it before all
// frames went through the encoder's byte-copying path. A differential test compares the two.
import { gunzipSync } from 'node:zlib';
import { decodeOne } from '../../src/codec/msgpack.js';
import { eventRecord } from '../../src/codec/forward-frame.js';
import { Cursor } from '../../src/codec/forward-scan.js';
import type { LogRecord } from '../../src/core/record.js';

/** The records of a stream of event frames, tag by tag in frame order (nil records skipped); `nowSec` for nil/0 times. */
export function referenceRecords(frames: Buffer, nowSec: number): { tag: string; record: LogRecord }[] {
  const out: { tag: string; record: LogRecord }[] = [];
  const c = new Cursor(frames, 0, frames.length);
  while (!c.done) {
    const n = c.arrayHeader() as number;
    const tag = (c.bytes() as Buffer).toString('utf8');
    const add = (time: number | null, value: unknown): void => {
      const record = eventRecord(time ?? nowSec, value);
      if (record) out.push({ tag, record });
    };
    const entries = (e: Cursor): void => {
      while (!e.done) {
        const k = e.arrayHeader() as number;
        const time = e.time();
        const [s, end] = e.skip();
        for (let i = 2; i < k; i++) e.skip();
        add(time, decodeOne(e.buf.subarray(s, end)));
      }
    };
    const count = c.arrayHeader();
    let rest = n - 2; // the option, after the entries (Message mode: after the time and the record)
    if (count !== null) {
      const first = c.pos;
      for (let i = 0; i < count; i++) c.skip();
      entries(new Cursor(frames, first, c.pos));
    } else {
      const packed = c.bytes();
      if (packed !== null) {
        const opts = n === 3 ? (decodeOne(frames.subarray(...c.skip())) as { compressed?: string } | null) : null;
        rest = 0;
        const raw = opts?.compressed === 'gzip' ? gunzipSync(packed) : packed;
        entries(new Cursor(raw, 0, raw.length));
      } else {
        const time = c.time();
        add(time, decodeOne(frames.subarray(...c.skip())));
        rest = n - 3;
      }
    }
    for (let i = 0; i < rest; i++) c.skip();
  }
  return out;
}
