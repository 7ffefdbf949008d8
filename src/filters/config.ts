// The `filters:` list: one schema per filter type, discriminated on `type`. Filters apply in order,
// between the inputs and the buffer, to the records whose tag their `match` accepts.
import { z } from 'zod';
import { grepFilterSchema } from './grep-config.js';
import { modifyFilterSchema } from './modify-config.js';
import { recordFilterSchema } from './record-config.js';

export const FILTER_TYPES = ['record', 'grep', 'modify'] as const;

export const filterSchema = z.discriminatedUnion('type', [recordFilterSchema, grepFilterSchema, modifyFilterSchema]);

export type FilterConfig = z.output<typeof filterSchema>;
export type { GrepFilterConfig } from './grep-config.js';
export type { ModifyFilterConfig } from './modify-config.js';
export type { RecordFilterConfig } from './record-config.js';
