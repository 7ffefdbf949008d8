// `type: grep` compiled: fluentd filter_grep's rule. A record is kept when every `regexp` matches
// the text of its key's value and no `exclude` does; a missing key (or null) matches nothing, so it
// fails a regexp and passes an exclude. Nothing is written: a kept record stays as it was.
import type { LogRecord } from '../core/record.js';
import type { GrepFilterConfig } from './grep-config.js';
import { DUPLICATE, type MapView } from './map-view.js';
import { matchText } from './match-text.js';
import { DECODE, DROP, KEEP, hasOwn, utf8, type Step, type Verdict } from './step.js';

interface Condition {
  key: string;
  utf8: Buffer;
  re: RegExp;
}

function conditions(list: GrepFilterConfig['regexp']): Condition[] {
  return list.map((c) => ({ key: c.key, utf8: utf8(c.key), re: new RegExp(c.pattern) }));
}

export function compileGrepFilter(cfg: GrepFilterConfig, label: string): Step {
  const regexps = conditions(cfg.regexp);
  const excludes = conditions(cfg.exclude);
  const text = (r: LogRecord, key: string): string | null => (hasOwn(r, key) ? matchText(r[key]) : null);
  return {
    label,
    objectOnly: false,
    record(r: LogRecord): LogRecord | null {
      for (const c of regexps) {
        const t = text(r, c.key);
        if (t === null || !c.re.test(t)) return null;
      }
      for (const c of excludes) {
        const t = text(r, c.key);
        if (t !== null && c.re.test(t)) return null;
      }
      return r;
    },
    pairs(v: MapView): Verdict {
      for (const c of regexps) {
        const i = v.find(c.utf8);
        if (i === DUPLICATE) return DECODE;
        const t = i < 0 ? null : v.valueText(i);
        if (t === null || !c.re.test(t)) return DROP;
      }
      for (const c of excludes) {
        const i = v.find(c.utf8);
        if (i === DUPLICATE) return DECODE;
        const t = i < 0 ? null : v.valueText(i);
        if (t !== null && c.re.test(t)) return DROP;
      }
      return KEEP;
    },
  };
}
