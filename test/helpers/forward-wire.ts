// Bytes of the fluent forward protocol as clients send them, for the forward input's tests: msgpack
// values, EventTime (ext type 0) and [time, record] entries.
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false, variableMapSize: true });

export const pack = (v: unknown): Buffer => packr.pack(v);

/** An EventTime: ext 0 (fixext8) of seconds and nanoseconds. */
export function eventTime(sec: number, nsec: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 0xd7;
  b[1] = 0x00;
  b.writeUInt32BE(sec, 2);
  b.writeUInt32BE(nsec, 6);
  return b;
}

/** [time, record] with the time as raw bytes (EventTime, or any packed value) or a number. */
export function entry(time: number | Buffer | null, record: unknown): Buffer {
  return Buffer.concat([Buffer.from([0x92]), Buffer.isBuffer(time) ? time : pack(time), pack(record)]);
}
