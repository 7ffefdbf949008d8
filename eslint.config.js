import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['admin', 'buffer', 'cli', 'codec', 'config', 'core', 'daemon', 'delivery', 'endpoint', 'ingest', 'inputs', 'outputs', 'parsers', 'router', 'simulate'];

/** One `no-restricted-imports` block per layer of src/, forbidding every layer it may not import. */
function layerRules(allowed) {
  return Object.entries(allowed).map(([layer, may]) => {
    const forbidden = LAYERS.filter((l) => l !== layer && !may.includes(l)).concat(may.filter((m) => m.startsWith('!')).map((m) => m.slice(1)));
    const allowed = may.filter((m) => !m.startsWith('!'));
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: forbidden.flatMap((l) => (l.includes('/') ? [`../${l}*`, `../../${l}*`, `../../../${l}*`] : [`../${l}/**`, `../../${l}/**`, `../../../${l}/**`])),
                message: `src/${layer} may import ${allowed.length ? `only ${allowed.join(', ')}` : 'nothing of ours'}${allowed.length < may.length ? ` (not ${forbidden.filter((l) => l.includes('/')).join(', ')})` : ''} (the dependency directions in README "Development")`,
              },
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The architecture's dependency directions (STYLE.md), checked on every lint: each layer of src/ names
  // the layers it may import; an import of any other is an error. core imports nothing of ours; inputs
  // never the buffer, outputs or delivery; outputs never the buffer; delivery is where both meet.
  ...layerRules({
    core: [],
    parsers: ['core'],
    router: ['core'],
    codec: ['core'],
    config: ['core', 'parsers', 'router'],
    buffer: ['core', 'config'],
    // Inputs see the Encoder and the EventSink as core interfaces; ingest (the encoder, the writer) is the daemon's.
    inputs: ['core', 'config', 'parsers', 'codec'],
    ingest: ['core', 'config', 'parsers', 'codec', 'buffer'],
    outputs: ['core', 'config', 'codec', 'router'],
    delivery: ['core', 'config', 'outputs', 'buffer', 'router', 'codec'],
  }),
  {
    files: ['test/**/*.ts', 'bench/**/*.{ts,js}', 'scripts/**/*.js'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: { fetch: 'readonly', performance: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly' } },
  },
);
