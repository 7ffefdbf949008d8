// What the UDP and TCP halves of the syslog input share: their shape and how long stopping waits.
import type { Input } from '../types.js';

export type SyslogInput = Input & { readonly port: number };

/** How long stopping waits for received messages to commit while the buffer blocks, before giving up. */
export const STOP_GRACE_MS = 5000;

/** Called after each committed batch: records, and how many of them were kept with `_parse_error`. */
export type OnCommitted = (records: number, parseErrors: number) => void;
