// `type: grep` compiled: fluentd filter_grep's rule. A record is kept when every `regexp` matches
// the text of its key's value and no `exclude` does; a missing key (or null) matches nothing, so it
// fails a regexp and passes an exclude. Nothing is written: a kept record stays as it was.
import type { LogRecord } from '../core/record.js';
import type { GrepFilterConfig } from './grep-config.js';
import { DUPLICATE, type MapView } from './map-view.js';
import { literalOf, matchesLiteral, type Literal } from './literal.js';
import { matchText } from './match-text.js';
import { DECODE, DROP, KEEP, hasOwn, utf8, type Step, type Verdict } from './step.js';

interface Condition {
  key: string;
  utf8: Buffer;
  re: RegExp;
  /** The pattern as plain ASCII text, tested on a string's bytes. */
  literal: Literal | null;
}

function conditions(list: GrepFilterConfig['regexp']): Condition[] {
  return list.map((c) => ({ key: c.key, utf8: utf8(c.key), re: new RegExp(c.pattern), literal: literalOf(c.pattern) }));
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
        if (i < 0 || !matches(v, i, c)) return DROP;
      }
      for (const c of excludes) {
        const i = v.find(c.utf8);
        if (i === DUPLICATE) return DECODE;
        if (i >= 0 && matches(v, i, c)) return DROP;
      }
      return KEEP;
    },
  };
}

/** Whether pair i's value matches (null matches nothing). */
function matches(v: MapView, i: number, c: Condition): boolean {
  if (c.literal !== null) {
    const from = v.strStart(i);
    if (from >= 0) return matchesLiteral(c.literal, v.bufs[v.vw[i] as number] as Buffer, from, v.strEnd);
  }
  const t = v.valueText(i);
  return t !== null && c.re.test(t);
}
