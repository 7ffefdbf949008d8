// The stdout output's config keys: the shared output keys and the line format.
import { z } from 'zod';
import { choice, section } from '../config/keys.js';
import { outputDelivery, outputHead, type Named } from '../config/output-common.js';

export const stdoutOutputSchema = section({
  type: z.literal('stdout'),
  ...outputHead,
  match: outputHead.match.meta({ example: 'debug.**' }),
  format: choice(['ndjson', 'json'], 'ndjson').describe('one JSON object per line, or a JSON array per chunk'),
  ...outputDelivery,
}).describe('Records on standard output, for debugging a pipeline.');

export type StdoutOutputConfig = Named<z.output<typeof stdoutOutputSchema>>;
