// The td output's config keys: the Streaming Import endpoint, the API key, and where records go
// (the database and table, by default from the tag td.<database>.<table>).
import { z } from 'zod';
import { flag, got, secret, section, text } from '../../config/keys.js';
import { outputDelivery, outputHead, type Named } from '../../config/output-common.js';
import { outputTlsKey, proxySchema } from '../../config/tls.js';
import { normalizeTdName, validTdName } from '../../router/td-destination.js';

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

/** A database or table name Treasure Data accepts as written (names from tags are normalized instead). */
function tdName() {
  return text().superRefine((v, ctx) => {
    if (!validTdName(v)) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a Treasure Data name (3 to 255 characters of a-z, 0-9 and _); write "${normalizeTdName(v)}"`, input: v });
    }
  });
}

export const tdOutputSchema = section({
  type: z.literal('td'),
  ...outputHead,
  endpoint: endpointUrl()
    .prefault(DEFAULT_TD_ENDPOINT)
    .describe('Streaming Import API base URL')
    .meta({ example: `\${TD_API_SERVER:-${DEFAULT_TD_ENDPOINT}}` }),
  apikey: secret(z.string()).describe('Treasure Data API key (write-only is enough)').meta({ example: '${TD_API_KEY}' }),
  database: tdName().optional().describe('default: <database> of the tag td.<database>.<table>').meta({ example: 'app', commented: true }),
  table: tdName().optional().describe('default: <table> of the tag td.<database>.<table>').meta({ example: 'events', commented: true }),
  auto_create_table: flag(true).describe('create a missing database/table on 404, then re-send'),
  proxy: proxySchema.optional(),
  ...outputTlsKey,
  ...outputDelivery,
}).describe('Treasure Data Streaming Import: each chunk PUT with its key as unique_id, so a re-send is imported once.');

export type TdOutputConfig = Named<z.output<typeof tdOutputSchema>>;
