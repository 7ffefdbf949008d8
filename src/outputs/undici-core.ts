// The two parts of undici the outputs use — Agent, and Dispatcher#request — loaded without the rest of
// the package. `import 'undici'` loads all of it (fetch, WebSocket, EventSource, the cache and mock
// layers: ~130 files), about 10 MB of the daemon's RSS for code it never runs (measured: an idle daemon
// 84.6 MB → 72.8–75.6 MB).
//
// undici has no "exports" map, so these module paths are reachable, and this is what its own index.js
// does with them (Object.assign(Dispatcher.prototype, api)); but they are not a public API.
// test/unit/undici-core.test.ts is the alarm for an upgrade: it checks the verified major, that this
// Agent is the package's own class with Dispatcher#request, and a real request through it. Measured
// 2026-12-03 (undici 7.30.2): a bare node 39.4 MB, + these files 50.2 MB, + all of undici 58.7 MB.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
const api = require('undici/lib/api/index.js') as object;
const dispatcherClass = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
if (!('request' in dispatcherClass.prototype)) Object.assign(dispatcherClass.prototype, api);

export type Agent = UndiciAgent;

type PublicUndici = typeof import('undici');

/**
 * The proxy path loads the public undici entry, on first use only: an output without a proxy never
 * pays for it. (Memory matters for the direct path, which every default install takes.)
 */
export function publicUndici(): Pick<PublicUndici, 'ProxyAgent' | 'Pool'> {
  return require('undici') as PublicUndici;
}
