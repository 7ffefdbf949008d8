// The time rule (parsers/time.ts stampTime) applied to a record the JSON transcoder has already written:
// its top-level `time`, `_time` and time-key values are watched while they are transcoded (their places
// in the output kept in `top`), then patched in the output bytes so that the map is exactly the one
// stampTime + packOne would write. The JS semantics it mirrors: assigning to an existing key keeps
// the key's place, a new key goes last; so an own `time` stays where it is with its new value, and the
// value it had moves to `_time` (in `_time`'s place when the record has one, else last).
//
// Owns `top` (the facts of the line being transcoded, reset per line) and the buffer the own `time`
// value is saved in while it moves. Not reentrant, like the transcoder.

import { writeNumber } from './transcode-numbers.js';
import { scan } from './transcode-strings.js';

/** A time value (a string or number from the record) → unix seconds, or an error sentence (parseTimeValue). */
export type TimeParser = (value: string | number) => number | string;

/** What the value of a watched key is. */
export const OWN_ABSENT = 0;
export const OWN_NUMBER = 1;
export const OWN_STRING = 2;
export const OWN_NULL = 3;
export const OWN_OTHER = 4;

/** How the record's `time` is chosen: no time key, the time key is `time`, another key. */
export const MODE_DEFAULT = 0;
export const MODE_KEY_IS_TIME = 1;
export const MODE_KEY = 2;

/** Facts about the top-level object of the current line (positions are in the output buffer). */
export const top = {
  /** The own `time` value: out[timeAt, timeEnd), its kind, its number when a number. */
  timeAt: -1,
  timeEnd: -1,
  ownKind: OWN_ABSENT,
  ownNum: 0,
  /** Whether the own `time` value has already been given its final value (and saved when it moves). */
  settled: false,
  /** Whether the saved own value is to become `_time`. */
  moveOwn: false,
  /** The record's own `_time` value: out[utimeAt, utimeEnd). */
  utimeAt: -1,
  utimeEnd: -1,
  /** The time key's parsed value (MODE_KEY), when the key was present and not null. */
  hasKeyTime: false,
  keyTime: 0,
  /** Entries settleTime added (0 or 1). */
  appended: 0,
};

export function resetTop(): void {
  top.timeAt = -1;
  top.timeEnd = -1;
  top.ownKind = OWN_ABSENT;
  top.settled = false;
  top.moveOwn = false;
  top.utimeAt = -1;
  top.hasKeyTime = false;
}

// The own `time` value's msgpack bytes while it moves to `_time` (grown on demand, never shrunk).
let saved = new Uint8Array(256);
let savedLen = 0;
const numberBytes = new Uint8Array(9);

/** dst[to, to + n) = src[from, from + n): a loop for the short values of a time (no views made), else set(). */
function copyBytes(dst: Uint8Array, to: number, src: Uint8Array, from: number, n: number): void {
  if (n <= 64) for (let k = 0; k < n; k++) dst[to + k] = src[from + k] as number;
  else dst.set(src.subarray(from, from + n), to);
}

function saveOwn(out: Uint8Array): void {
  const n = top.timeEnd - top.timeAt;
  if (n > saved.length) saved = new Uint8Array(Math.max(n, saved.length * 2));
  copyBytes(saved, 0, out, top.timeAt, n);
  savedLen = n;
}

/** Replaces out[at, end) by src[0, n) in the entries ending at o; returns the new end. */
function replace(out: Uint8Array, o: number, at: number, end: number, src: Uint8Array, n: number): number {
  if (end - at !== n) out.copyWithin(at + n, end, o);
  copyBytes(out, at, src, 0, n);
  return o + n - (end - at);
}

function replaceWithNumber(out: Uint8Array, o: number, at: number, end: number, v: number): number {
  return replace(out, o, at, end, numberBytes, writeNumber(numberBytes, 0, v));
}

/**
 * The own `time` value out[at, o) is complete: in the modes where its final value is known now, writes
 * it in place (nothing follows it yet) and saves the old value when it moves. Returns the new end, or
 * -1 when the time rule would record an error (`_time_error`: the slow path's business).
 */
export function ownTimeDone(out: Uint8Array, at: number, o: number, kind: number, num: number, mode: number, nowSec: number, text: string | null, parse: TimeParser): number {
  top.timeAt = at;
  top.timeEnd = o;
  top.ownKind = kind;
  top.ownNum = num;
  if (mode === MODE_KEY) return o; // decided at the end, when the time key's value is known
  if (mode === MODE_KEY_IS_TIME && kind !== OWN_NULL) {
    if (kind !== OWN_NUMBER && kind !== OWN_STRING) return -1;
    const t = kind === OWN_NUMBER ? parse(num) : parse(text as string);
    if (typeof t !== 'number') return -1;
    top.settled = true;
    top.timeEnd = writeNumber(out, at, t);
    return top.timeEnd;
  }
  top.settled = true;
  if (kind === OWN_NUMBER && Number.isInteger(num)) return o; // an own integer `time` is kept
  saveOwn(out);
  top.moveOwn = true;
  top.timeEnd = writeNumber(out, at, nowSec);
  return top.timeEnd;
}

/** The time key's value (MODE_KEY) is complete: its time, or -1 (an error, or not a number or string). */
export function keyTimeDone(kind: number, num: number, text: string | null, parse: TimeParser): number {
  if (kind === OWN_NULL) return 0;
  if (kind !== OWN_NUMBER && kind !== OWN_STRING) return -1;
  const t = kind === OWN_NUMBER ? parse(num) : parse(text as string);
  if (typeof t !== 'number') return -1;
  top.hasKeyTime = true;
  top.keyTime = t;
  return 0;
}

/** The own `time` in MODE_KEY, at the end: its final value in place (shifting what follows). */
function settleKeyMode(out: Uint8Array, o: number, nowSec: number): number {
  let t = nowSec;
  if (top.hasKeyTime) {
    t = top.keyTime;
    top.moveOwn = !(top.ownKind === OWN_NUMBER && top.ownNum === t);
  } else {
    if (top.ownKind === OWN_NUMBER && Number.isInteger(top.ownNum)) return o;
    top.moveOwn = true;
  }
  if (top.moveOwn) saveOwn(out);
  const before = o;
  o = replaceWithNumber(out, o, top.timeAt, top.timeEnd, t);
  if (top.utimeAt > top.timeAt) {
    top.utimeAt += o - before;
    top.utimeEnd += o - before;
  }
  return o;
}

const TIME_KEY = new Uint8Array([0xa4, 0x74, 0x69, 0x6d, 0x65]);
const UTIME_KEY = new Uint8Array([0xa5, 0x5f, 0x74, 0x69, 0x6d, 0x65]);

/**
 * The top-level object's entries end at o: applies what is left of the time rule (the own `time`
 * value in MODE_KEY, `_time`, an appended `time`). Returns the new end; sets top.appended.
 */
export function settleTime(out: Uint8Array, o: number, mode: number, nowSec: number): number {
  top.appended = 0;
  if (top.ownKind === OWN_ABSENT) {
    for (let k = 0; k < TIME_KEY.length; k++) out[o + k] = TIME_KEY[k] as number;
    top.appended = 1;
    return writeNumber(out, o + TIME_KEY.length, mode === MODE_KEY && top.hasKeyTime ? top.keyTime : nowSec);
  }
  if (!top.settled) o = settleKeyMode(out, o, nowSec);
  if (!top.moveOwn) return o;
  if (top.utimeAt >= 0) return replace(out, o, top.utimeAt, top.utimeEnd, saved, savedLen);
  for (let k = 0; k < UTIME_KEY.length; k++) out[o + k] = UTIME_KEY[k] as number;
  o += UTIME_KEY.length;
  copyBytes(out, o, saved, 0, savedLen);
  top.appended = 1;
  return o + savedLen;
}

// The watched top-level keys: the time rule needs their values (transcode-time.ts).
export const W_TIME = 1;
export const W_UTIME = 2;
export const W_KEY = 3;

/** How the current line's time is chosen: set by the transcoder a line is run through. */
export const rule = {
  mode: MODE_DEFAULT,
  /** The time key's UTF-8 bytes and length (MODE_KEY; -1 otherwise). */
  key: new Uint8Array(0),
  keyLength: -1,
  parse: ((): string => 'no time key') as TimeParser,
};

const decoder = new TextDecoder();
// The last string decoded for the time rule and its bytes: log lines in the same second repeat it.
const lastBytes = new Uint8Array(64);
let lastLength = -1;
let lastText = '';

/** out[from, to) (UTF-8, already checked) as a string. */
function textAt(out: Uint8Array, from: number, to: number): string {
  const n = to - from;
  if (n === lastLength) {
    let k = 0;
    while (k < n && out[from + k] === lastBytes[k]) k++;
    if (k === n) return lastText;
  }
  lastText = decoder.decode(out.subarray(from, to));
  if (n <= lastBytes.length) {
    lastBytes.set(out.subarray(from, to));
    lastLength = n;
  } else lastLength = -1;
  return lastText;
}

/** A watched key's value out[at, o) is complete; returns the new end, or -1 for the slow path. */
export function watchedDone(watch: number, out: Uint8Array, at: number, o: number, kind: number, nowSec: number): number {
  const num = kind === OWN_NUMBER ? scan.value : 0;
  if (watch === W_UTIME) {
    top.utimeAt = at;
    top.utimeEnd = o;
    return o;
  }
  const needsText = kind === OWN_STRING && (watch === W_KEY || rule.mode === MODE_KEY_IS_TIME);
  const text = needsText ? textAt(out, o - scan.len, o) : null;
  if (watch === W_KEY) return keyTimeDone(kind, num, text, rule.parse) < 0 ? -1 : o;
  return ownTimeDone(out, at, o, kind, num, rule.mode, nowSec, text, rule.parse);
}
