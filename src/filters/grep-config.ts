// `type: grep` (fluentd filter_grep, Fluent Bit grep): keep records whose keys match every
// `regexp`, drop those where any `exclude` matches.
import { z } from 'zod';
import { pattern, strict } from '../config/keys.js';
import { fieldName, tagPattern } from './keys.js';

const condition = strict({
  key: fieldName().describe('record key whose value is tested (numbers and booleans as text)').meta({ example: 'path' }),
  pattern: pattern().describe('regular expression (JavaScript syntax), unanchored').meta({ example: '^/health' }),
});

export const grepFilterSchema = strict({
  type: z.literal('grep'),
  match: tagPattern().describe('tag pattern of the records this filter applies to').meta({ example: '**' }),
  regexp: z
    .array(condition)
    .prefault([])
    .describe('every one must match, or the record is dropped (a missing key does not match)')
    .meta({ example: [{ key: 'level', pattern: '^(error|warn)$' }], commented: true }),
  exclude: z.array(condition).prefault([]).describe('a record any of these matches is dropped').meta({ example: [{ key: 'path', pattern: '^/health' }] }),
}).superRefine((c, ctx) => {
  if (c.regexp.length === 0 && c.exclude.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'a grep filter needs regexp or exclude (or both)', path: [], input: c });
  }
});

export type GrepFilterConfig = z.output<typeof grepFilterSchema>;
