// The stdin input's config keys (`tdfwd run` reading its own standard input).
import { z } from 'zod';
import { section, text } from '../config/keys.js';
import { parserFormat } from '../config/parser-format.js';

export const stdinInputSchema = section({
  type: z.literal('stdin'),
  tag: text().describe('tag given to every record read from stdin').meta({ example: 'app.stdin' }),
  format: parserFormat().describe('how a line becomes a record: none | json | ltsv | nginx | apache2 | regexp:<pattern>').meta({ example: 'json' }),
  time_key: text().optional().describe('field holding the event time (number or date); else now').meta({ example: 'time' }),
}).describe('`tdfwd run` reading its own stdin (for `tdfwd send`, use flags instead).');

export type StdinInputConfig = z.output<typeof stdinInputSchema>;
