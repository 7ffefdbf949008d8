// `tdfwd migrate FILE [--out F] [--force] [--import-positions]`: converts a td-agent.conf into tdfwd
// YAML (stdout, or --out), a `# not converted:` comment for each part without a tdfwd equivalent;
// --import-positions copies in_tail pos_file positions into the buffer (--buffer / the usual
// resolution) and writes that buffer's path into the config, so `tdfwd run` resumes where td-agent
// stopped. A summary goes to stderr; exit 0, or 2 for a file that cannot be read or parsed.
import type { Command } from 'commander';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BufferConfig } from '../config/types.js';
import { UsageError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { convert } from '../migrate/convert.js';
import { emitYaml } from '../migrate/emit-yaml.js';
import { readFluentdConfig } from '../migrate/fluentd-config.js';
import { DaemonLock } from '../daemon/lock.js';
import { openStore } from '../daemon/open-store.js';
import { importPositions, readPositions } from '../migrate/import-positions.js';
import type { PosFileRef } from '../migrate/model.js';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { globalsOf } from './globals.js';

interface MigrateOpts {
  out?: string;
  force?: boolean;
  importPositions?: boolean;
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('convert a td-agent.conf (fluentd config) into a tdfwd YAML config')
    .argument('<file>', 'the td-agent.conf or fluent.conf to convert')
    .option('-o, --out <file>', 'write the YAML to this file instead of stdout')
    .option('--force', 'with --out: replace an existing file')
    .option('--import-positions', "copy in_tail pos_file positions into the buffer (--buffer), so tdfwd resumes td-agent's files")
    .action(
      action(async (file: string, opts: MigrateOpts, cmd: Command) => {
        if (opts.force && !opts.out) throw new UsageError('--force only applies with --out FILE');
        if (opts.out && existsSync(opts.out) && !opts.force) {
          throw new UsageError(`${opts.out} already exists; add --force to replace it, or choose another --out`);
        }
        const source = resolve(file);
        const migration = convert(readFluentdConfig(source), source);
        let bufferPath: string | undefined;
        const summary: string[] = [];
        if (opts.importPositions) {
          const buffer = loadForCommand(globalsOf(cmd)).config.buffer;
          if (migration.posFiles.length === 0) summary.push('no in_tail pos_file to import');
          else {
            const r = await importIntoBuffer(migration.posFiles, buffer);
            summary.push(`imported ${r.imported} tail position${r.imported === 1 ? '' : 's'} into ${buffer.path}` + (r.kept ? ` (kept ${r.kept} tdfwd already had)` : ''));
          }
          bufferPath = buffer.path;
        }
        const yaml = emitYaml(migration, { source: file, version: VERSION, ...(opts.out ? { out: opts.out } : {}), ...(bufferPath ? { bufferPath } : {}) });
        if (opts.out) {
          writeFileSync(opts.out, yaml, { mode: 0o600 });
          chmodSync(opts.out, 0o600); // it may hold an API key; a replaced file keeps its mode otherwise
        }
        else process.stdout.write(yaml);
        const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
        const real = (l: readonly { value: unknown }[]) => l.filter((e) => e.value !== null).length;
        summary.unshift(
          `converted ${count(real(migration.inputs), 'input')}, ${count(real(migration.filters), 'filter')}, ${count(real(migration.outputs), 'output')}` +
            (opts.out ? ` into ${opts.out}` : ''),
        );
        if (migration.notConverted > 0) summary.push(`${count(migration.notConverted, 'part')} not converted: see the "# not converted:" comments`);
        process.stderr.write(`${summary.join('; ')}\n`);
        return 0;
      }),
    );
}

/** Reads the pos_files and saves their positions in the buffer, holding the daemon lock meanwhile. */
async function importIntoBuffer(refs: readonly PosFileRef[], buffer: BufferConfig): Promise<{ imported: number; kept: number }> {
  const { updates, problems } = readPositions(refs);
  for (const p of problems) process.stderr.write(`tdfwd: ${p}\n`);
  mkdirSync(buffer.path, { recursive: true, mode: 0o700 });
  const lock = DaemonLock.acquire(buffer.path); // refuses while a daemon runs on this buffer
  try {
    const store = openStore(buffer);
    try {
      return importPositions(store, updates);
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
}
