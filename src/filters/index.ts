// The filters between inputs and the buffer: their config schemas and the chain that applies them.
export { FilterChain, type FilterChainOptions } from './chain.js';
export { filterSchema, FILTER_TYPES, type FilterConfig } from './config.js';
export { FilterSlot } from './slot.js';
