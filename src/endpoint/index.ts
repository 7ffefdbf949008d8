// The local Streaming-Import-compatible endpoint (`tdfwd endpoint`), for the demo, delivery tests,
// benchmarks and outage rehearsals.
export { startEndpoint, DEFAULT_DEDUP_WINDOW_MS, DEFAULT_MAX_BODY_BYTES } from './server.js';
export type { EndpointOptions, EndpointHandle, EndpointStats, EndpointFaults, ForcedStatus } from './types.js';
