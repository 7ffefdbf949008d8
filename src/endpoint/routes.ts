// Request routing: method + path → handler. Faults apply only inside the import and ingest handlers;
// stats and create calls are always answered.
import type { EndpointContext } from './context.js';
import { answer } from './context.js';
import { apiError, type Exchange } from './exchange.js';
import { handleIngest } from './ingest.js';
import { handleCreateDatabase, handleCreateTable, handleImport } from './td-import.js';

type Snapshot = () => unknown;

function segments(path: string): string[] {
  return path.split('/').slice(1).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

export async function route(ctx: EndpointContext, x: Exchange, stats: Snapshot): Promise<void> {
  const { method, path } = x;
  if (path === '/_tdfwd/stats' && method === 'GET') return answer(ctx, x, 200, stats());
  if (path === '/ingest' || path.startsWith('/ingest/')) {
    if (method !== 'POST' && method !== 'PUT') return notAllowed(ctx, x, 'POST or PUT');
    return handleIngest(ctx, x, path.slice('/ingest'.length));
  }
  const s = segments(path);
  if (s[0] === 'v3') {
    if (s[1] === 'table' && s[2] === 'import_with_id' && s.length === 7) {
      if (method !== 'PUT' && method !== 'POST') return notAllowed(ctx, x, 'PUT');
      return handleImport(ctx, x, s[3] as string, s[4] as string, s[5] as string, s[6] as string);
    }
    if (s[1] === 'database' && s[2] === 'create' && s.length === 4) {
      if (method !== 'POST') return notAllowed(ctx, x, 'POST');
      return handleCreateDatabase(ctx, x, s[3] as string);
    }
    if (s[1] === 'table' && s[2] === 'create' && (s.length === 5 || s.length === 6)) {
      if (method !== 'POST') return notAllowed(ctx, x, 'POST');
      return handleCreateTable(ctx, x, s[3] as string, s[4] as string, s[5] ?? 'log');
    }
    if (s[1] === 'system' && s[2] === 'server_status' && method === 'GET') return answer(ctx, x, 200, { status: 'ok' });
  }
  return answer(ctx, x, 404, apiError('Resource not found', `No route for ${method} ${path}.`));
}

function notAllowed(ctx: EndpointContext, x: Exchange, allow: string): Promise<void> {
  return answer(ctx, x, 405, apiError('Method not allowed', `Use ${allow} for ${x.path}.`), { allow });
}
