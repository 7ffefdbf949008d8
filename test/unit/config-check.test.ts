import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import YAML from 'yaml';
import { registerConfig } from '../../src/cli/config-check.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

// The same global options as src/cli/main.ts; `config check` reads them with optsWithGlobals().
function program(): Command {
  const p = new Command('tdfwd')
    .option('-c, --config <file>')
    .option('--buffer <dir>')
    .option('--log-level <level>', '', 'info')
    .exitOverride();
  registerConfig(p);
  return p;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    process.exitCode = undefined;
    await program().parseAsync(['node', 'tdfwd', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

let dir: string;
let cleanup: () => void;
const saved = { ...process.env };
beforeEach(() => {
  ({ dir, cleanup } = tempDir('tdfwd-config-check-'));
  delete process.env.TDFWD_CONFIG;
  delete process.env.TDFWD_BUFFER;
  process.env.TD_API_KEY = 'secret-api-key-0123456789';
});
afterEach(() => {
  cleanup();
  process.env = { ...saved };
});

describe('tdfwd config check', () => {
  it('prints the resolved config with secrets masked and a summary; exit 0', async () => {
    const file = join(dir, 'tdfwd.yaml');
    writeFileSync(file, 'inputs:\n  - { type: stdin, tag: a }\noutputs:\n  - { type: td, match: "td.**", apikey: "${TD_API_KEY}" }\n');
    const r = await run(['-c', file, '--buffer', join(dir, 'buf'), 'config', 'check']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('config OK: 1 inputs, 1 outputs\n');
    expect(r.stdout).not.toContain('secret-api-key-0123456789');
    const doc = YAML.parse(r.stdout);
    expect(doc.outputs[0].apikey).toBe('****6789');
    expect(doc.buffer.path).toBe(join(dir, 'buf'));
  });

  it('reads TDFWD_CONFIG when there is no --config', async () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'inputs: [{ type: http }]\noutputs:\n  - { type: stdout, match: "**" }\n  - { type: stdout, match: "x" }\n');
    process.env.TDFWD_CONFIG = file;
    const r = await run(['config', 'check']);
    expect(r.stderr).toBe('config OK: 1 inputs, 2 outputs\n');
  });

  it('without a config file it shows the no-config default', async () => {
    const r = await run(['config', 'check']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^config OK: 0 inputs, 1 outputs \(no config file/);
    expect(YAML.parse(r.stdout).outputs[0]).toMatchObject({ name: 'td', match: 'td.**', apikey: '****6789' });
  });

  it('an invalid config prints tdfwd: <message> and exits 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'outputs:\n  - { type: td, match: "td.**", apikey: k, retry: { max_wait: forever } }\n');
    const r = await run(['-c', file, 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tdfwd: outputs[0].retry.max_wait: expected a duration like "30s" (got "forever")\n');
  });

  it('rejects what `tdfwd run` rejects: an empty file, and inputs: [] outputs: []', async () => {
    for (const text of ['', 'inputs: []\noutputs: []\n', '# only comments\n']) {
      const file = join(dir, 'empty.yaml');
      writeFileSync(file, text);
      const r = await run(['-c', file, 'config', 'check']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^tdfwd: inputs: no inputs configured: `tdfwd run` would have nothing to read; add one/);
      expect(() => loadConfig({ file, env: process.env, forDaemon: true })).toThrow(r.stderr.slice('tdfwd: '.length).trimEnd());
    }
  });

  it('lists every problem at once, each with its key path: unset variables and schema errors together', async () => {
    const file = join(dir, 'many.yaml');
    delete process.env.NO_SUCH_PORT;
    delete process.env.NO_SUCH_KEY;
    writeFileSync(
      file,
      [
        'inputs:',
        '  - { type: http, port: "${NO_SUCH_PORT}" }',
        '  - { type: tail, tag: td.a.b }',
        'outputs:',
        '  - { type: td, match: "td.**", apikey: "${NO_SUCH_KEY}", retry: { max_wait: forever } }',
        'bufer: {}',
      ].join('\n'),
    );
    const r = await run(['-c', file, 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'tdfwd: inputs[0].port: environment variable NO_SUCH_PORT is not set; set it, or write ${NO_SUCH_PORT:-default}',
      'outputs[0].apikey: environment variable NO_SUCH_KEY is not set; set it, or write ${NO_SUCH_KEY:-default}',
      'bufer: unknown key (expected one of: buffer, inputs, filters, outputs, routing, admin, shutdown_timeout)',
      'inputs[1].path: required key is missing',
      'outputs[0].retry.max_wait: expected a duration like "30s" (got "forever")',
    ]);
  });

  it('a missing config file exits 2 with a sentence', async () => {
    const r = await run(['-c', join(dir, 'missing.yaml'), 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tdfwd: config file .*missing\.yaml does not exist; check the --config flag or TDFWD_CONFIG\n$/);
  });
});
