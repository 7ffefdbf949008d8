// One schema per output type, discriminated on `type`, sharing the delivery keys (timeout, dedup
// window, concurrency, retry). Each resolves to its camelCase type; `name` is filled in by the
// caller from the output's position (`td.0`) when not given.
import { z } from 'zod';
import type { HttpOutputConfig, StdoutOutputConfig, TdOutputConfig } from './types.js';
import { choice, flag, got, strict, text } from './keys.js';
import { common, resolveCommon, type Unnamed } from './output-common.js';
import { normalizeTdName, validTdName } from '../router/td-destination.js';
import { clientTlsSchema, proxySchema } from './tls.js';
import { forwardOutputSchema, type UnnamedForwardOutputConfig } from '../outputs/forward/config.js';

export const DEFAULT_TD_ENDPOINT = 'https://api-import.treasuredata.com';

/** An http(s) URL; a bare host (as TD_API_SERVER is often written) gets https://. No trailing slash. */
export function normalizeEndpoint(raw: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return withScheme.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function endpointUrl() {
  return text().transform((v, ctx) => {
    const url = normalizeEndpoint(v);
    if (url === undefined) {
      ctx.issues.push({ code: 'custom', message: `expected an http(s) URL (got ${got(v)})`, input: v });
      return z.NEVER;
    }
    return url;
  });
}

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

/** Keys of the outputs that open HTTP connections (td, http): proxy and client TLS. */
const network = {
  proxy: proxySchema.optional(),
  tls: clientTlsSchema.optional().describe('ca_file, verify, cert_file, key_file'),
};

/** A database or table name Treasure Data accepts as written (names from tags are normalized instead). */
function tdName() {
  return text().superRefine((v, ctx) => {
    if (!validTdName(v)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a Treasure Data name (3 to 255 characters of a-z, 0-9 and _); write "${normalizeTdName(v)}"`, input: v });
    }
  });
}

const td = strict({
  type: z.literal('td'),
  ...common,
  endpoint: endpointUrl().prefault(DEFAULT_TD_ENDPOINT).describe('Streaming Import API base URL'),
  apikey: z.string().describe('Treasure Data API key (write-only is enough)'),
  database: tdName().optional().describe('default: <database> of the tag td.<database>.<table>'),
  table: tdName().optional().describe('default: <table> of the tag td.<database>.<table>'),
  auto_create_table: flag(true).describe('create a missing database/table on 404, then re-send'),
  ...network,
}).transform(
  (c): Unnamed<TdOutputConfig> => ({
    type: 'td',
    ...resolveCommon(c),
    endpoint: c.endpoint,
    apikey: c.apikey,
    database: c.database,
    table: c.table,
    autoCreateTable: c.auto_create_table,
    proxy: c.proxy,
    tls: c.tls,
  }),
);

/** Header values are strings; YAML numbers and switches (`X-Count: 5`) are taken as written. */
const headerValue = z.unknown().transform((v, ctx) => {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.issues.push({ code: 'custom', message: `expected a header value string (got ${got(v)})`, input: v });
  return z.NEVER;
});

const headers = z.record(z.string(), headerValue);

const http = strict({
  type: z.literal('http'),
  ...common,
  url: fullUrl().describe('where chunks are sent'),
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(['POST', 'PUT']))
    .prefault('POST')
    .describe('POST or PUT'),
  format: choice(['ndjson', 'msgpack', 'json'], 'ndjson').describe('body encoding'),
  compress: choice(['gzip', 'none'], 'gzip').describe('Content-Encoding of the body'),
  headers: headers.prefault({}).describe('extra request headers; values of secret-looking names are masked'),
  ...network,
}).transform(
  (c): Unnamed<HttpOutputConfig> => ({
    type: 'http',
    ...resolveCommon(c),
    url: c.url,
    method: c.method,
    format: c.format,
    compress: c.compress,
    headers: c.headers,
    proxy: c.proxy,
    tls: c.tls,
  }),
);

const stdout = strict({
  type: z.literal('stdout'),
  ...common,
  format: choice(['ndjson', 'json'], 'ndjson').describe('one JSON object per line, or a JSON array per chunk'),
}).transform((c): Unnamed<StdoutOutputConfig> => ({ type: 'stdout', ...resolveCommon(c), format: c.format }));

export const OUTPUT_TYPES = ['td', 'http', 'stdout', 'forward'] as const;

export type UnnamedOutput = Unnamed<TdOutputConfig> | Unnamed<HttpOutputConfig> | Unnamed<StdoutOutputConfig> | UnnamedForwardOutputConfig;

export const outputSchema: z.ZodType<UnnamedOutput, unknown> = z.discriminatedUnion('type', [td, http, stdout, forwardOutputSchema]);
