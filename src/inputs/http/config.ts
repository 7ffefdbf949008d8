// The http input's config keys: where to listen and the largest request body.
import { z } from 'zod';
import { port, section, size, text } from '../../config/keys.js';

export const httpInputSchema = section({
  type: z.literal('http'),
  bind: text().prefault('127.0.0.1').describe('address to listen on'),
  port: port(9880).describe('TCP port; POST /{tag}'),
  max_body_size: size('8MiB').describe('larger requests get 413'),
}).describe('POST /{tag} with JSON, a JSON array, NDJSON, or the form field json= (fluentd in_http).');

export type HttpInputConfig = z.output<typeof httpInputSchema>;
