// `regexp:<pattern>`: a JS RegExp with named groups; each group that matched becomes a string field.
// Ruby/fluentd `(?<name>...)` groups are the same syntax in JS. `/pattern/flags` is accepted too.

import { ConfigError } from '../core/errors.js';
import { setField, type FieldParser } from './types.js';

/**
 * Compiles the pattern; throws ConfigError('', ...) when it is invalid or has no named group.
 * `extraFlags` are added to the pattern's own (e.g. `s` for joined multi-line events).
 */
export function compileRegexpParser(pattern: string, extraFlags = ''): FieldParser {
  let source = pattern;
  let flags = '';
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (slashed !== null) {
    source = slashed[1] as string;
    // g and y make RegExp.exec stateful across lines: drop them.
    flags = (slashed[2] as string).replace(/[gy]/g, '');
  }
  for (const f of extraFlags) if (!flags.includes(f)) flags += f;
  if (source === '') {
    throw new ConfigError('', 'format "regexp:" needs a pattern with named groups, like regexp:^(?<level>\\w+) (?<message>.*)$');
  }
  let re: RegExp;
  let names: string[];
  try {
    re = new RegExp(source, flags);
    // Matching the empty alternative lists every named group of the pattern without needing a line.
    names = Object.keys(new RegExp(`(?:${source})|`, flags).exec('')?.groups ?? {});
  } catch (err) {
    throw new ConfigError('', `invalid regexp "${pattern}": ${(err as Error).message}; write a JavaScript regular expression with named groups like (?<name>...)`);
  }
  if (names.length === 0) {
    throw new ConfigError('', `regexp "${pattern}" has no named groups: name the fields to keep, like (?<status>\\d+)`);
  }
  return (line) => {
    const m = re.exec(line);
    if (m === null || m.groups === undefined) return 'line does not match the regexp';
    const rec: Record<string, unknown> = {};
    for (const name of names) {
      const v = m.groups[name];
      if (v !== undefined) setField(rec, name, v);
    }
    return rec;
  };
}
