// The output types: one schema per type, declared next to its code (src/outputs/<type>/config.ts),
// discriminated on `type`; the keys they share are in output-common.ts. A new output type is one
// schema file and one line in each list below. `name` is filled in by the loader from the output's
// position (`td.0`) when not given.
import { z } from 'zod';
import { tdOutputSchema } from '../outputs/td/config.js';
import { httpOutputSchema } from '../outputs/http/config.js';
import { stdoutOutputSchema } from '../outputs/stdout-config.js';
import { forwardOutputSchema } from '../outputs/forward/config.js';
import type { Named } from './output-common.js';

export { DEFAULT_TD_ENDPOINT, normalizeEndpoint } from '../outputs/td/config.js';

export const OUTPUT_TYPES = ['td', 'http', 'stdout', 'forward'] as const;

export const outputSchema = z.discriminatedUnion('type', [
  tdOutputSchema,
  httpOutputSchema,
  stdoutOutputSchema,
  forwardOutputSchema,
]);

/** An output as the file gives it: `name` may be unset. */
export type UnnamedOutput = z.output<typeof outputSchema>;

export type OutputConfig = Named<UnnamedOutput>;
