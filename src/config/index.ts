// The config module's public face: load or parse a config, render it, mask its secrets.
export { loadConfig, parseConfigText, defaultConfig, resolveBufferDir } from './load.js';
export type { LoadOptions, ParseOptions } from './load.js';
export { renderConfig, durationText, sizeText } from './render.js';
export { maskSecrets, secretMasker, maskSecret, collectSecrets, isSecretHeader } from './secrets.js';
export { DEFAULT_TD_ENDPOINT } from './outputs.js';
export { DEFAULT_ADMIN_LISTEN } from './schema.js';
export type * from './types.js';
