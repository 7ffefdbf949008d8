// `<filter pattern>` directives → tdfwd filters (shapes of the `filters:` section): record_transformer
// and record_modifier → record, grep → grep. A `<filter>` without a pattern matches every tag.
import type { Directive, Param } from './fluentd-config.js';
import { list, regexp, textValue } from './fluentd-values.js';
import { describe, Notes, Section, type Places } from './section.js';

export interface FilterResult {
  value: Record<string, unknown> | null;
  comments: string[];
}

export function convertFilter(d: Directive, places: Places): FilterResult {
  const notes = new Notes(places);
  const sec = new Section(d, notes);
  notes.info(`from ${places.at(d)} ${describe(d)}`);
  const match = d.arg || '**';
  switch (sec.type) {
    case 'record_transformer':
    case 'record_modifier':
      return { value: record(sec, match), comments: notes.lines };
    case 'grep':
      return { value: grep(sec, match), comments: notes.lines };
    default:
      notes.notConverted(d, `${describe(d)} (tdfwd filters are record, grep and modify)`);
      return { value: null, comments: notes.lines };
  }
}

function record(sec: Section, match: string): Record<string, unknown> {
  const v: Record<string, unknown> = { type: 'record', match };
  const set: Record<string, string> = {};
  for (const r of sec.children('record')) {
    const rs = new Section(r, sec.notes);
    for (const p of r.params) {
      rs.take(p.key);
      const t = textValue(p, 'record');
      if (t.ok) set[p.key] = t.value;
      else sec.notes.notConverted(p, `${p.key}: ${t.why}`);
    }
    rs.finish();
  }
  if (Object.keys(set).length > 0) v.set = set;
  const remove = sec.take('remove_keys');
  if (remove) v.remove = list(remove.value);
  const ruby = sec.take('enable_ruby');
  if (ruby && /^(true|yes|)$/i.test(ruby.value)) sec.reject(ruby, 'tdfwd runs no Ruby; fields that needed it are noted above');
  sec.finish({
    renew_record: 'write a modify filter with keep: [...] for the same effect',
    keep_keys: 'write a modify filter with keep: [...] for the same effect',
    whitelist_keys: 'write a modify filter with keep: [...] for the same effect',
    allowlist_keys: 'write a modify filter with keep: [...] for the same effect',
    auto_typecast: 'tdfwd keeps the values as strings',
    renew_time_key: 'no tdfwd equivalent',
    char_encoding: 'tdfwd reads UTF-8',
  });
  return v;
}

interface Rule {
  key: string;
  pattern: string;
}

function grep(sec: Section, match: string): Record<string, unknown> {
  const v: Record<string, unknown> = { type: 'grep', match };
  const regexps: Rule[] = [];
  const excludes: Rule[] = [];
  for (const [name, into] of [['regexp', regexps], ['exclude', excludes]] as const) {
    for (const block of sec.children(name)) {
      const b = new Section(block, sec.notes);
      const key = b.take('key');
      const pattern = b.take('pattern');
      b.finish();
      if (!key || !pattern) {
        sec.notes.notConverted(block, `<${name}> needs both key and pattern`);
        continue;
      }
      addRule(sec, into, key.value, pattern);
    }
    // fluentd 0.12: `regexp1 level ^error$` (the key, a space, the pattern).
    for (const p of sec.takeMatching(new RegExp(`^${name}\\d+$`))) {
      const m = /^(\S+)\s+(.*)$/.exec(p.value);
      if (!m) sec.notes.notConverted(p, `${p.key}: expected a key and a pattern`);
      else addRule(sec, into, m[1] as string, { ...p, value: m[2] as string });
    }
  }
  if (regexps.length) v.regexp = regexps;
  if (excludes.length) v.exclude = excludes;
  sec.finish({ '<and>': 'tdfwd combines regexp rules with AND and exclude rules with OR only', '<or>': 'tdfwd combines regexp rules with AND and exclude rules with OR only' });
  return v;
}

function addRule(sec: Section, into: Rule[], key: string, pattern: Param): void {
  if (key.startsWith('$')) {
    sec.notes.notConverted(pattern, `the record accessor ${key} (tdfwd's grep reads top-level keys only)`);
    return;
  }
  const re = regexp(pattern.value);
  if (re.ok) into.push({ key, pattern: re.value });
  else sec.notes.notConverted(pattern, `pattern of ${key}: ${re.why}`);
}
