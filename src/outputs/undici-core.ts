// The two parts of undici the outputs use — Agent, and Dispatcher#request — loaded without the rest of
// the package. `import 'undici'` loads all of it (fetch, WebSocket, EventSource, the cache and mock
// layers: ~130 files), about 10 MB of the daemon's RSS for code it never runs (measured: an idle daemon
// 84.6 MB → 72.8–75.6 MB).
//
// undici has no "exports" map, so these module paths are reachable by design, and this is what its own
// index.js does with them (Object.assign(Dispatcher.prototype, api)). If a future undici moved them,
// every output test would fail at once, not silently.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

const require = createRequire(import.meta.url);

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
const api = require('undici/lib/api/index.js') as object;
const dispatcherClass = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
if (!('request' in dispatcherClass.prototype)) Object.assign(dispatcherClass.prototype, api);

export type Agent = UndiciAgent;
