// The PRI part of a syslog message (`<134>`): facility * 8 + severity, and their names as fluentd's
// in_syslog and Fluent Bit name them (the record tag is `<tag>.<facility>.<severity>`).

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'at',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;

/** RFC 3164 4.3.3: a message without a valid PRI is treated as user.notice. */
export const DEFAULT_PRI = 13;

export interface Priority {
  pri: number;
  facility: (typeof FACILITIES)[number];
  severity: (typeof SEVERITIES)[number];
}

export function priority(pri: number): Priority {
  return {
    pri,
    facility: FACILITIES[pri >> 3] as Priority['facility'],
    severity: SEVERITIES[pri & 7] as Priority['severity'],
  };
}

/**
 * `<PRI>` at the start of `text`: the priority and where the rest starts, or null when there is none.
 * PRI is 1 to 3 digits, at most 191 (facility local7), without leading zeros except `<0>`.
 */
export function readPri(text: string): { pri: number; end: number } | null {
  if (text.charCodeAt(0) !== 0x3c /* < */) return null;
  const close = text.indexOf('>', 1);
  if (close < 2 || close > 4) return null;
  const digits = text.slice(1, close);
  if (!/^(0|[1-9]\d{0,2})$/.test(digits)) return null;
  const pri = Number(digits);
  return pri <= 191 ? { pri, end: close + 1 } : null;
}
