// The input types: one schema per type, declared next to its code (src/inputs/<type>/config.ts),
// discriminated on `type`. A new input type is one schema file and one line in each list below.
import { z } from 'zod';
import { stdinInputSchema } from '../inputs/stdin-config.js';
import { tailInputSchema } from '../inputs/tail/config.js';
import { forwardInputSchema } from '../inputs/forward/config.js';
import { httpInputSchema } from '../inputs/http/config.js';
import { syslogInputSchema } from '../inputs/syslog/config.js';

export { PARSER_FORMATS, parserFormat } from './parser-format.js';

export const INPUT_TYPES = ['stdin', 'tail', 'forward', 'http', 'syslog'] as const;

export const inputSchema = z.discriminatedUnion('type', [
  stdinInputSchema,
  tailInputSchema,
  forwardInputSchema,
  httpInputSchema,
  syslogInputSchema,
]);

export type InputConfig = z.output<typeof inputSchema>;
