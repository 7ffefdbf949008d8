// The tail input's config keys: which files to follow, how lines become records, and the timings of
// rotation, glob refresh and multi-line events.
import { z } from 'zod';
import { duration, flag, pattern, section, size, stringList, text } from '../../config/keys.js';
import { parserFormat } from '../../config/parser-format.js';

export const tailInputSchema = section({
  type: z.literal('tail'),
  // The loader always resolves a list; code that builds a config by hand (tests) may give one path.
  path: stringList({ nonEmpty: true })
    .transform((list): string | string[] => list)
    .describe('file path or glob, or a list of them')
    .meta({ example: '/var/log/app/*.log' }),
  // Resolved to [] when unset; typed optional so that a config built by hand may leave it out.
  exclude: stringList({ nonEmpty: false })
    .prefault([])
    .optional()
    .describe('globs of paths never to follow')
    .meta({ example: ['/var/log/app/*.gz'] }),
  tag: text().describe('tag given to every record read from these files').meta({ example: 'td.app.events' }),
  format: parserFormat().describe('how a line becomes a record: none | json | ltsv | nginx | apache2 | regexp:<pattern>').meta({ example: 'json' }),
  time_key: text().optional().describe('field holding the event time (number or date); else now').meta({ example: 'time' }),
  read_from_head: flag(false).describe('read a newly found file from its start instead of its end'),
  rotate_wait: duration('5s').describe('keep reading a rotated-away file this long'),
  refresh_interval: duration('10s', { positive: true }).describe('how often globs are re-expanded'),
  max_line_size: size('1MiB').describe('a longer line is truncated and counted'),
  multiline_start: pattern().optional().describe('regexp matching the first line of a multi-line event').meta({ example: '^\\d{4}-\\d{2}-\\d{2} ' }),
  multiline_flush_interval: duration('1s', { positive: true }).describe('emit a pending multi-line event after this'),
}).describe('Lines of files, followed through rotation (fluentd in_tail).');

export type TailInputConfig = z.output<typeof tailInputSchema>;
