import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { loadConfig, resolveBufferDir } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';
import type { TdOutputConfig } from '../../src/config/types.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function tmp(): string {
  const t = tempDir('tdfwd-config-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('no config file', () => {
  it('one td output for td.** from TD_API_SERVER / TD_API_KEY, no inputs, admin default', () => {
    const cfg = loadConfig({ env: { HOME: '/h', TD_API_KEY: 'k-0123456789abcdef', TD_API_SERVER: 'http://127.0.0.1:8080/' } });
    expect(cfg.inputs).toEqual([]);
    expect(cfg.outputs).toHaveLength(1);
    const td = cfg.outputs[0] as TdOutputConfig;
    expect(td).toMatchObject({
      type: 'td',
      name: 'td',
      match: 'td.**',
      endpoint: 'http://127.0.0.1:8080',
      apikey: 'k-0123456789abcdef',
      autoCreateTable: true,
      timeout: 60_000,
      retry: { type: 'exponential', maxWait: 300_000 },
    });
    expect(cfg.secrets).toEqual(['k-0123456789abcdef']);
    expect(cfg.admin.listen).toBe('127.0.0.1:24220');
    expect(cfg.buffer.path).toBe('/h/.local/state/tdfwd');
  });

  it('without TD_API_KEY it still loads (flush complains when it needs to send)', () => {
    const cfg = loadConfig({ env: { HOME: '/h' } });
    expect(cfg.outputs[0]).toMatchObject({ endpoint: 'https://api-import.treasuredata.com', apikey: '' });
    expect(cfg.secrets).toEqual([]);
  });

  it('a bare host in TD_API_SERVER gets https://', () => {
    expect((loadConfig({ env: { TD_API_SERVER: 'api-import.eu01.treasuredata.com' } }).outputs[0] as TdOutputConfig).endpoint).toBe(
      'https://api-import.eu01.treasuredata.com',
    );
  });
});

describe('config file', () => {
  it('is read from --config, else TDFWD_CONFIG', () => {
    const dir = tmp();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'outputs:\n  - { type: stdout, match: a }\n');
    writeFileSync(b, 'outputs:\n  - { type: stdout, match: b }\n');
    expect(loadConfig({ file: a, env: { TDFWD_CONFIG: b } }).outputs[0]?.match).toBe('a');
    expect(loadConfig({ env: { TDFWD_CONFIG: b } }).outputs[0]?.match).toBe('b');
  });

  it('a missing file is a ConfigError sentence', () => {
    const file = join(tmp(), 'nope.yaml');
    const err = errorOf(() => loadConfig({ file, env: {} }));
    expect(err.message).toBe(`config file ${file} does not exist; check the --config flag or TDFWD_CONFIG`);
    expect(err.exitCode).toBe(2);
  });

  it('a directory is a ConfigError sentence', () => {
    const dir = tmp();
    expect(errorOf(() => loadConfig({ file: dir, env: {} })).message).toBe(`config file ${dir} is a directory; give the path of a YAML file`);
  });

  it('a YAML syntax error names the file and the line', () => {
    const file = join(tmp(), 'bad.yaml');
    writeFileSync(file, 'outputs:\n  - type: td\n    match: "td.**\n    apikey: k\n');
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML syntax error: `));
  });
});

describe('buffer directory precedence', () => {
  const env = { HOME: '/home/u', XDG_STATE_HOME: '/xdg', TDFWD_BUFFER: '/env/buf' };

  it('flag > TDFWD_BUFFER > buffer.path > XDG_STATE_HOME > ~/.local/state', () => {
    expect(resolveBufferDir({ flag: '/flag/buf', env, configured: '/cfg/buf' })).toBe('/flag/buf');
    expect(resolveBufferDir({ env, configured: '/cfg/buf' })).toBe('/env/buf');
    expect(resolveBufferDir({ env: { ...env, TDFWD_BUFFER: '' }, configured: '/cfg/buf' })).toBe('/cfg/buf');
    expect(resolveBufferDir({ env: { HOME: '/home/u', XDG_STATE_HOME: '/xdg' } })).toBe('/xdg/tdfwd');
    expect(resolveBufferDir({ env: { HOME: '/home/u', XDG_STATE_HOME: 'relative' } })).toBe('/home/u/.local/state/tdfwd');
    expect(resolveBufferDir({ env: { HOME: '/home/u' } })).toBe('/home/u/.local/state/tdfwd');
  });

  it('buffer.path: ~ is the home directory; relative paths are from the config file', () => {
    expect(resolveBufferDir({ env: { HOME: '/home/u' }, configured: '~/buf' })).toBe('/home/u/buf');
    expect(resolveBufferDir({ env: {}, configured: 'buf', baseDir: '/etc/tdfwd' })).toBe('/etc/tdfwd/buf');
  });

  it('through loadConfig, with a file and without', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'conf'));
    const file = join(dir, 'conf', 'tdfwd.yaml');
    writeFileSync(file, 'buffer: { path: ../state }\n');
    expect(loadConfig({ file, env: { HOME: '/h' } }).buffer.path).toBe(join(dir, 'state'));
    expect(loadConfig({ file, env: { HOME: '/h', TDFWD_BUFFER: '/e' } }).buffer.path).toBe('/e');
    expect(loadConfig({ file, env: { HOME: '/h', TDFWD_BUFFER: '/e' }, bufferFlag: '/f' }).buffer.path).toBe('/f');
    expect(loadConfig({ env: { HOME: '/h', XDG_STATE_HOME: '/x' } }).buffer.path).toBe('/x/tdfwd');
    expect(loadConfig({ env: { HOME: '/h', XDG_STATE_HOME: '/x' }, bufferFlag: '/f' }).buffer.path).toBe('/f');
  });
});

describe('examples/*.yaml', () => {
  it('quickstart.yaml loads with only TD_API_KEY set', () => {
    const cfg = loadConfig({ file: 'examples/quickstart.yaml', env: { HOME: '/h', TD_API_KEY: 'k' } });
    expect(cfg.inputs.map((i) => i.type)).toEqual(['tail']);
    expect(cfg.outputs.map((o) => o.name)).toEqual(['td.0']);
  });

  it('full.yaml loads with only TD_API_KEY set, and spells out the defaults', () => {
    const cfg = loadConfig({ file: 'examples/full.yaml', env: { HOME: '/h', TD_API_KEY: 'k' } });
    expect(cfg.inputs.map((i) => i.type)).toEqual(['stdin', 'tail', 'forward', 'http', 'syslog']);
    expect(cfg.outputs.map((o) => o.name)).toEqual(['td', 'http.1', 'stdout.2', 'forward.3']);
    const td = cfg.outputs[0] as TdOutputConfig;
    const defaults = loadConfig({ env: { HOME: '/h', TD_API_KEY: 'k' } }).outputs[0] as TdOutputConfig;
    expect({ ...td, match: '', name: '' }).toEqual({ ...defaults, match: '', name: '' });
  });
});
