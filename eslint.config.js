import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['admin', 'buffer', 'cli', 'codec', 'config', 'core', 'daemon', 'delivery', 'endpoint', 'filters', 'ingest', 'inputs', 'migrate', 'outputs', 'parsers', 'router', 'simulate'];

/**
 * One `no-restricted-imports` block per layer of src/, forbidding every layer it may not import.
 * `!layer/file` forbids one part of an allowed layer; `+layer/glob` allows only those files of an
 * otherwise forbidden layer (config's registry of the per-type schema files).
 */
function layerRules(allowed) {
  return Object.entries(allowed).map(([layer, may]) => {
    const only = may.filter((m) => m.startsWith('+')).map((m) => m.slice(1));
    const forbidden = LAYERS.filter((l) => l !== layer && !may.includes(l)).concat(may.filter((m) => m.startsWith('!')).map((m) => m.slice(1)));
    const allowed = may.filter((m) => !m.startsWith('!') && !m.startsWith('+'));
    const up = (p) => [`../${p}`, `../../${p}`, `../../../${p}`];
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                // a layer with allowed files excludes its files, not its folders: gitignore cannot
                // re-include a file of an excluded folder
                group: forbidden
                  .flatMap((l) => (l.includes('/') ? up(`${l}*`) : up(only.some((g) => g.startsWith(`${l}/`)) ? `${l}/**/*.*` : `${l}/**`)))
                  .concat(only.flatMap((glob) => up(`${glob}.js`).map((p) => `!${p}`))),
                message: `src/${layer} may import ${allowed.length ? `only ${allowed.concat(only).join(', ')}` : 'nothing of ours'}${forbidden.some((l) => l.includes('/')) ? ` (not ${forbidden.filter((l) => l.includes('/')).join(', ')})` : ''} (the dependency directions in README "Development")`,
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
    // config gathers the per-type schemas (src/inputs/tail/config.ts, src/outputs/stdout-config.ts)
    // into the file's schema; those files import only config's vocabulary (the rule below).
    config: ['core', 'parsers', 'router', 'filters', '+inputs/**/*config', '+outputs/**/*config'],
    // filters: their schemas use config's key vocabulary; the block path reads msgpack with codec.
    filters: ['core', 'config', 'router', 'codec'],
    buffer: ['core', 'config'],
    // Inputs see the Encoder and the EventSink as core interfaces; ingest (the encoder, the writer) is the daemon's.
    inputs: ['core', 'config', 'parsers', 'codec'],
    ingest: ['core', 'config', 'parsers', 'codec', 'buffer'],
    outputs: ['core', 'config', 'codec', 'router'],
    delivery: ['core', 'config', 'outputs', 'buffer', 'router', 'codec'],
    // td-agent.conf → YAML and pos_file reading; the CLI opens the buffer for --import-positions.
    migrate: ['core', 'inputs'],
  }),
  // A type's schema file sits next to its code but is part of the config: it may import config, core,
  // parsers and router, never the code beside it (config imports it, so that would be a cycle).
  {
    files: ['src/inputs/**/*config.ts', 'src/outputs/**/*config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\.?/(?!(\\.\\./)*(config|core|parsers|router)/)',
              message: 'a config schema file (src/inputs/**/config.ts, src/outputs/**/config.ts) may import only config, core, parsers and router: src/config imports it (README "Adding a config key")',
            },
          ],
        },
      ],
    },
  },
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
