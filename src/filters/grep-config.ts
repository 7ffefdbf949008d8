// `type: grep` (fluentd filter_grep, Fluent Bit grep): keep records whose keys match every
// `regexp`, drop those where any `exclude` matches.
import { z } from 'zod';
import { pattern, strict } from '../config/keys.js';
import { fieldName, tagPattern } from './keys.js';

const condition = strict({
  key: fieldName().describe('record key whose value is tested (numbers and booleans as text)'),
  pattern: pattern().describe('regular expression (JavaScript syntax), unanchored'),
});

export const grepFilterSchema = strict({
  type: z.literal('grep'),
  match: tagPattern().describe('tag pattern of the records this filter applies to'),
  regexp: z.array(condition).prefault([]).describe('every one must match, or the record is dropped (a missing key does not match)'),
  exclude: z.array(condition).prefault([]).describe('a record any of these matches is dropped'),
}).superRefine((c, ctx) => {
  if (c.regexp.length === 0 && c.exclude.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'a grep filter needs regexp or exclude (or both)', path: [], input: c });
  }
});

export type GrepFilterConfig = z.output<typeof grepFilterSchema>;
