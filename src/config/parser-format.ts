// The `format` key of line inputs (stdin, tail): how a line becomes a record. A named parser of
// src/parsers, or `regexp:` and a pattern with named groups, checked to compile.
import { z } from 'zod';
import { got } from './keys.js';

/** none | json | ltsv | nginx | apache2 | regexp:<pattern>. */
export type ParserFormat = string;

export const PARSER_FORMATS = ['none', 'json', 'ltsv', 'nginx', 'apache2'] as const;

/** none | json | ltsv | nginx | apache2 | regexp:<pattern with named groups>. */
export function parserFormat() {
  return z
    .string()
    .superRefine((v, ctx) => {
      if ((PARSER_FORMATS as readonly string[]).includes(v)) return;
      if (v.startsWith('regexp:')) {
        try {
          const re = new RegExp(v.slice('regexp:'.length));
          if (!/\(\?<[A-Za-z_]/.test(re.source)) {
            ctx.addIssue({ code: 'custom', message: 'regexp: needs at least one named group like (?<message>.*)', input: v });
          }
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `regexp: does not compile: ${(err as Error).message}`, input: v });
        }
        return;
      }
      ctx.addIssue({
        code: 'custom',
        message: `expected one of: ${PARSER_FORMATS.join(', ')}, regexp:<pattern> (got ${got(v)})`,
        input: v,
      });
    })
    .prefault('none');
}
