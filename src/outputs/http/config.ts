// The http output's config keys: the URL, method, body encoding and extra headers.
import { z } from 'zod';
import { choice, got, section, text, type KeyDoc } from '../../config/keys.js';
import { outputDelivery, outputHead, type Named } from '../../config/output-common.js';
import { outputTlsKey, proxySchema } from '../../config/tls.js';

function fullUrl() {
  return text().superRefine((v, ctx) => {
    let ok = false;
    try {
      const url = new URL(v);
      ok = url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: 'custom', message: `expected an http(s) URL like "https://host/path" (got ${got(v)})`, input: v });
  });
}

/** Header values are strings; YAML numbers and switches (`X-Count: 5`) are taken as written. */
const headerValue = z.unknown().transform((v, ctx) => {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.issues.push({ code: 'custom', message: `expected a header value string (got ${got(v)})`, input: v });
  return z.NEVER;
});

export const httpOutputSchema = section({
  type: z.literal('http'),
  ...outputHead,
  match: outputHead.match.meta({ example: 'app.**' }),
  url: fullUrl()
    .describe('where chunks are sent')
    .meta({ kind: 'url', example: 'https://collector.example/ingest' } satisfies KeyDoc),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['POST', 'PUT']))
    .prefault('POST')
    .describe('HTTP method'),
  format: choice(['ndjson', 'msgpack', 'json'], 'ndjson').describe('body encoding'),
  compress: choice(['gzip', 'none'], 'gzip').describe('Content-Encoding of the body'),
  headers: z
    .record(z.string(), headerValue)
    .prefault({})
    .describe('extra request headers; values of secret-looking names are masked')
    .meta({ kind: 'headers', example: { Authorization: 'Bearer ${COLLECTOR_TOKEN:-change-me-collector-token}' } } satisfies KeyDoc),
  proxy: proxySchema.optional(),
  ...outputTlsKey,
  ...outputDelivery,
}).describe('Chunks POSTed to any HTTP endpoint, with the chunk key in the Idempotency-Key header.');

export type HttpOutputConfig = Named<z.output<typeof httpOutputSchema>>;
