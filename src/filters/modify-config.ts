// `type: modify` (Fluent Bit modify): rename keys, copy values, keep only some keys; in that order.
import { z } from 'zod';
import { strict } from '../config/keys.js';
import { fieldMap, fieldName, notTime, tagPattern } from './keys.js';

export const modifyFilterSchema = strict({
  type: z.literal('modify'),
  match: tagPattern().describe('tag pattern of the records this filter applies to').meta({ example: '**' }),
  rename: fieldMap().prefault({}).describe('old: new; the key keeps its place, a key already named new is replaced').meta({ example: { msg: 'message' } }),
  copy: fieldMap().prefault({}).describe('from: to; to is overwritten when present').meta({ example: { message: 'raw' }, commented: true }),
  keep: z.array(fieldName()).min(1).optional().describe('keep only these keys (time is always kept)').meta({ example: ['time', 'message', 'level'], commented: true }),
}).superRefine((c, ctx) => {
  for (const [from, to] of Object.entries(c.rename)) {
    notTime(ctx, from, ['rename', from], 'rename');
    notTime(ctx, to, ['rename', from], 'rename a key to');
  }
  for (const [from, to] of Object.entries(c.copy)) {
    notTime(ctx, to, ['copy', from], 'copy a key to');
    if (from === '__proto__') notTime(ctx, from, ['copy', from], 'copy');
  }
  if (Object.keys(c.rename).length === 0 && Object.keys(c.copy).length === 0 && c.keep === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a modify filter needs rename, copy or keep', path: [], input: c });
  }
});

export type ModifyFilterConfig = z.output<typeof modifyFilterSchema>;
