// The unit of data: a tag and a record map. Every record carries an integer `time` (unix seconds).

export type LogRecord = Record<string, unknown> & { time: number };

export interface LogEvent {
  tag: string;
  record: LogRecord;
}

export function unixNow(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000);
}

/** Tag validity as fluentd understands it: dot-separated non-empty parts of printable characters. */
export function isValidTag(tag: string): boolean {
  return /^[^\s.*{}]+(\.[^\s.*{}]+)*$/.test(tag);
}
