// A small strptime for `timeFormat`: compiles a format like "%d/%b/%Y:%H:%M:%S %z" once into a RegExp
// and a field reader. Without %z/%Z/%s the time is local time, as fluentd's default (`utc false`).

import { ConfigError } from '../core/errors.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Field = 'Y' | 'y' | 'm' | 'd' | 'H' | 'I' | 'p' | 'M' | 'S' | 'frac' | 'z' | 'b' | 's' | 'skip';

const DIRECTIVES: Record<string, { re: string; field: Field }> = {
  Y: { re: '([+-]?\\d{4})', field: 'Y' },
  y: { re: '(\\d{2})', field: 'y' },
  m: { re: '(\\d{1,2})', field: 'm' },
  d: { re: '(\\d{1,2})', field: 'd' },
  e: { re: ' ?(\\d{1,2})', field: 'd' },
  H: { re: '(\\d{1,2})', field: 'H' },
  k: { re: ' ?(\\d{1,2})', field: 'H' },
  I: { re: '(\\d{1,2})', field: 'I' },
  l: { re: ' ?(\\d{1,2})', field: 'I' },
  p: { re: '([AaPp][Mm])', field: 'p' },
  M: { re: '(\\d{1,2})', field: 'M' },
  S: { re: '(\\d{1,2})', field: 'S' },
  L: { re: '(\\d{1,9})', field: 'frac' },
  N: { re: '(\\d{1,9})', field: 'frac' },
  z: { re: '(Z|[+-]\\d{2}:?\\d{2})', field: 'z' },
  Z: { re: '(Z|UTC|GMT|[+-]\\d{2}:?\\d{2})', field: 'z' },
  b: { re: '([A-Za-z]{3})', field: 'b' },
  h: { re: '([A-Za-z]{3})', field: 'b' },
  B: { re: '([A-Za-z]{3})[A-Za-z]*', field: 'b' },
  a: { re: '(?:[A-Za-z]{3})', field: 'skip' },
  A: { re: '(?:[A-Za-z]+)', field: 'skip' },
  s: { re: '(-?\\d+)', field: 's' },
};

const EXPANSIONS: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M' };

/** Returns unix seconds, or an error sentence when the value does not match the format. */
export type TimeFormatReader = (value: string) => number | string;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Compiles a strptime format; throws ConfigError('', ...) for a directive it does not know. */
export function compileTimeFormat(format: string): TimeFormatReader {
  let expanded = format;
  for (const [k, v] of Object.entries(EXPANSIONS)) expanded = expanded.split(`%${k}`).join(v);
  let re = '^\\s*';
  const fields: Field[] = [];
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i] as string;
    if (c !== '%') {
      re += c === ' ' ? '\\s+' : escapeRe(c);
      continue;
    }
    const d = expanded[++i];
    if (d === '%') {
      re += '%';
      continue;
    }
    const spec = d === undefined ? undefined : DIRECTIVES[d];
    if (spec === undefined) {
      throw new ConfigError('', `time format "${format}" has an unsupported directive "%${d ?? ''}": use %Y %m %d %H %M %S %L %N %z %b %a %s %T %F`);
    }
    re += spec.re;
    if (spec.field !== 'skip') fields.push(spec.field);
  }
  const regexp = new RegExp(`${re}\\s*$`);
  return (value: string) => {
    const m = regexp.exec(value);
    if (m === null) return `time "${value}" does not match the time format "${format}"`;
    let year = 1970, month = 0, day = 1, hour = 0, min = 0, sec = 0, pm = -1;
    let offsetMin: number | null = null;
    for (let g = 0; g < fields.length; g++) {
      const v = m[g + 1] as string;
      switch (fields[g]) {
        case 'Y': year = Number(v); break;
        case 'y': year = 2000 + Number(v) - (Number(v) >= 69 ? 100 : 0); break;
        case 'm': month = Number(v) - 1; break;
        case 'd': day = Number(v); break;
        case 'H': hour = Number(v); break;
        case 'I': hour = Number(v) % 12; break;
        case 'p': pm = v.toLowerCase() === 'pm' ? 1 : 0; break;
        case 'M': min = Number(v); break;
        case 'S': sec = Number(v); break;
        case 'frac': break; // `time` is whole seconds
        case 'b': {
          month = MONTHS.indexOf(v.toLowerCase());
          if (month < 0) return `time "${value}" has an unknown month name "${v}"`;
          break;
        }
        case 'z': offsetMin = parseOffsetMinutes(v); break;
        case 's': return Number(v);
        default: break;
      }
    }
    if (pm === 1) hour += 12;
    if (month > 11 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
      return `time "${value}" has a field out of range for the time format "${format}"`;
    }
    if (offsetMin === null) {
      return Math.floor(new Date(year, month, day, hour, min, sec).getTime() / 1000);
    }
    return Math.floor(Date.UTC(year, month, day, hour, min, sec) / 1000) - offsetMin * 60;
  };
}

/** "+0900", "-07:00", "Z", "UTC" → minutes east of UTC. */
export function parseOffsetMinutes(z: string): number {
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const sign = z.charCodeAt(0) === 45 ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
