// `type: record` (fluentd record_transformer, Fluent Bit record_modifier): set keys, remove keys.
import { z } from 'zod';
import { strict } from '../config/keys.js';
import { fieldName, notTime, tagPattern } from './keys.js';

const setValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, a number, true/false or null',
});

export const recordFilterSchema = strict({
  type: z.literal('record'),
  match: tagPattern().describe('tag pattern of the records this filter applies to').meta({ example: 'td.**' }),
  set: z
    .record(z.string(), setValue)
    .prefault({})
    .describe('keys to add or overwrite; values may hold ${hostname}, ${tag}, ${tag_parts[N]}')
    .meta({ example: { hostname: '${hostname}', service: '${tag_parts[1]}' } }),
  remove: z.array(fieldName()).prefault([]).describe('keys to remove (after set)').meta({ example: ['password'], commented: true }),
}).superRefine((c, ctx) => {
  for (const key of Object.keys(c.set)) notTime(ctx, key, ['set', key], 'set');
  c.remove.forEach((key, i) => notTime(ctx, key, ['remove', i], 'remove'));
  if (Object.keys(c.set).length === 0 && c.remove.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'a record filter needs set or remove (or both)', path: [], input: c });
  }
});

export type RecordFilterConfig = z.output<typeof recordFilterSchema>;
