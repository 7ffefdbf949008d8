// The td output's endpoint URL. Where a tag goes (database and table) is src/router/td-destination.ts,
// shared with the config loader and `send`, which refuse a tag without a destination before it is
// buffered.

/** Accept `host`, `host:port` or a URL; default to https, as td-client does. No trailing slash. */
export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(e) ? e : `https://${e}`;
}
