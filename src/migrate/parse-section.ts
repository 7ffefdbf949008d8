// in_tail's `<parse>` (or the old `format` parameters on the source itself) → tdfwd's tail keys
// format, time_key and multiline_start.
import { regexp } from './fluentd-values.js';
import type { Section } from './section.js';

export interface ParseKeys {
  format: string;
  time_key?: string;
  multiline_start?: string;
}

const SAME = new Set(['json', 'ltsv', 'nginx', 'apache2', 'none']);

/**
 * `sec` is the `<parse>` section (its @type is the format) or, for td-agent 2 configs, the source
 * itself (its `format` parameter). Whatever cannot be converted is noted on the section.
 */
export function convertParse(sec: Section, oldStyle: boolean): ParseKeys {
  const typeParam = oldStyle ? sec.take('format') : sec.take('@type', 'type');
  const type = typeParam?.value ?? 'none';
  const out: ParseKeys = { format: 'none' };
  if (SAME.has(type)) out.format = type;
  else if (type === 'regexp' || /^\/.*\/[a-z]*$/s.test(type)) {
    const expr = type === 'regexp' ? sec.take('expression') : typeParam;
    const re = expr ? regexp(expr.value) : undefined;
    if (re?.ok) out.format = `regexp:${re.value}`;
    else if (expr && re && !re.ok) sec.notes.notConverted(expr, `${expr.key}: ${re.why}; lines are kept as {"message": line}`);
  } else if (type === 'multiline') {
    const first = sec.take('format_firstline');
    const firstRe = first ? regexp(first.value) : undefined;
    if (firstRe?.ok) out.multiline_start = firstRe.value;
    else if (first && firstRe && !firstRe.ok) sec.notes.notConverted(first, `format_firstline: ${firstRe.why}`);
    const pieces = sec.takeMatching(/^format\d+$/).sort((a, b) => Number(a.key.slice(6)) - Number(b.key.slice(6)));
    const joined = pieces.map((p) => regexp(p.value));
    const bad = joined.findIndex((r) => !r.ok);
    if (pieces.length > 0 && bad === -1) out.format = `regexp:${joined.map((r) => (r.ok ? r.value : '')).join('')}`;
    else if (bad >= 0) {
      const r = joined[bad] as { ok: false; why: string };
      sec.notes.notConverted(pieces[bad]!, `${pieces[bad]!.key}: ${r.why}; events are kept as {"message": event}`);
    }
  } else if (typeParam) {
    sec.notes.notConverted(typeParam, `${typeParam.key} ${type} (tdfwd parses json, ltsv, nginx, apache2, regexp and none; lines are kept as {"message": line})`);
  }
  const timeKey = sec.take('time_key');
  if (timeKey) out.time_key = timeKey.value;
  const keep = sec.take('keep_time_key');
  if (keep && !/^(true|yes|)$/i.test(keep.value)) sec.reject(keep, 'tdfwd keeps the time field in the record');
  if (!oldStyle) sec.finish(PARSE_REASONS);
  return out;
}

/** Why the parser parameters tdfwd does not take are not needed or not converted. */
export const PARSE_REASONS: Readonly<Record<string, string>> = {
  time_format: 'tdfwd reads numbers, ISO 8601, RFC 2822 and 10/Oct/2000:13:55:36 -0700 dates by itself',
  time_type: 'tdfwd reads numbers and dates by itself',
  types: 'no tdfwd equivalent: regexp groups stay strings',
  estimate_current_event: 'a line whose time does not parse gets the current time',
};
