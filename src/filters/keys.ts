// Config vocabulary shared by the filter schemas: a tag pattern, a record key name, and the rules
// that keep every record's integer `time` (no filter may set, remove or rename it).
import { z } from 'zod';
import { text } from '../config/keys.js';
import { compilePattern } from '../router/pattern.js';

/** A fluentd tag pattern (`td.**`, `app.{web,api}.*`), checked to compile. */
export function tagPattern() {
  return text().superRefine((v, ctx) => {
    try {
      compilePattern(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not a valid tag pattern: ${(err as Error).message}`, input: v });
    }
  });
}

/** A record key. `__proto__` cannot be a key of a JavaScript object, so no record has it. */
export function fieldName() {
  return text().superRefine((v, ctx) => {
    if (v === '__proto__') ctx.addIssue({ code: 'custom', message: '"__proto__" cannot be a record key; name another key', input: v });
  });
}

/** A mapping of record keys to record keys (rename, copy), in the order written. */
export function fieldMap() {
  return z.record(z.string(), fieldName());
}

export const TIME_RULE = 'every record keeps its integer event time';

/** An issue when `key` is `time`: where a filter would set, remove or rename the event time. */
export function notTime(ctx: z.core.$RefinementCtx, key: string, path: PropertyKey[], what: string): void {
  if (key === 'time') ctx.addIssue({ code: 'custom', message: `a filter cannot ${what} time: ${TIME_RULE}`, path, input: key });
  if (key === '__proto__') ctx.addIssue({ code: 'custom', message: '"__proto__" cannot be a record key; name another key', path, input: key });
}

/**
 * A key name that a JavaScript object puts first whatever the insertion order ("0", "42"): a
 * filter that adds or renames such a key edits records as objects, so that both ways in agree.
 */
export function isIndexKey(key: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}
