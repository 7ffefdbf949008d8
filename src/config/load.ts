// Resolving the config: the file named by --config or TDFWD_CONFIG if any (YAML → `${VAR}` expansion →
// schema → names, secrets and the buffer directory), else the no-config default that `send`, `flush`
// and `status` use with flags and environment alone.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../core/errors.js';
import { expandTree } from './expand.js';
import { configError, problemsOf, type Problem } from './issues.js';
import { DEFAULT_TD_ENDPOINT, normalizeEndpoint, outputSchema } from './outputs.js';
import { fileSchema, type ParsedFile } from './schema.js';
import { daemonProblems } from './daemon-rules.js';
import { collectSecrets } from './secrets.js';
import { checkTlsFiles } from './tls.js';
import type { OutputConfig, TdfwdConfig } from './types.js';

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  bufferFlag?: string;
  /**
   * Also apply the daemon's rules (daemonProblems): `tdfwd run`, its reloads and `config check` of a
   * file use them, so a config that check accepts is one that run accepts.
   */
  forDaemon?: boolean;
}

export interface ParseOptions {
  env: NodeJS.ProcessEnv;
  /** Names the text in messages: the file path, or e.g. "<stdin>". */
  source: string;
  bufferFlag?: string;
  forDaemon?: boolean;
  /** Where a relative buffer.path is resolved from; default: the source's directory. */
  baseDir?: string;
}

/** Resolve the config: file (flag, or env TDFWD_CONFIG) if any, else the no-config default. */
export function loadConfig(opts: LoadOptions = {}): TdfwdConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.TDFWD_CONFIG || undefined);
  if (file === undefined) return defaultConfig(env, opts.bufferFlag);
  return parseConfigText(readConfigFile(file), { env, source: file, bufferFlag: opts.bufferFlag, forDaemon: opts.forDaemon === true });
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError('', `config file ${file} does not exist; check the --config flag or TDFWD_CONFIG`);
    }
    if (code === 'EISDIR') throw new ConfigError('', `config file ${file} is a directory; give the path of a YAML file`);
    if (code === 'EACCES') throw new ConfigError('', `config file ${file} cannot be read (permission denied)`);
    throw new ConfigError('', `config file ${file} cannot be read: ${(err as Error).message}`);
  }
}

export function parseConfigText(text: string, opts: ParseOptions): TdfwdConfig {
  const tree = parseYaml(text, opts.source);
  // Every problem at once: unset variables and schema errors together. A value whose variable is
  // unset stays `${VAR}` in the tree; its schema complaint would only repeat the first one, so it goes.
  const unset: Problem[] = [];
  const expanded = expandTree(tree, opts.env, unset);
  const result = fileSchema.safeParse(expanded, { reportInput: true });
  if (!result.success) {
    const schema = problemsOf(result.error.issues).filter((p) => !unset.some((u) => within(p.path, u.path)));
    throw configError([...unset, ...schema]);
  }
  if (unset.length > 0) throw configError(unset);
  const parsed: ParsedFile = result.data;

  const problems: Problem[] = [];
  const baseDir = opts.baseDir ?? dirname(resolve(opts.source));
  // TLS files: relative paths are from the config file's directory, like buffer.path; each is read once here.
  const withFiles = checkTlsFiles(parsed.inputs, nameOutputs(parsed.outputs, problems), baseDir, problems);
  const outputs = withFiles.outputs;
  outputs.forEach((o, i) => {
    if (o.type === 'td' && o.apikey === '') {
      problems.push({
        path: `outputs[${i}].apikey`,
        message: 'is empty; set it to your Treasure Data API key, for example apikey: ${TD_API_KEY}',
      });
    }
  });
  if (opts.forDaemon === true) problems.push(...daemonProblems(withFiles.inputs, outputs, parsed.routing));
  if (problems.length > 0) throw configError(problems);

  return {
    buffer: {
      ...parsed.buffer,
      path: resolveBufferDir({ flag: opts.bufferFlag, env: opts.env, configured: parsed.buffer.path, baseDir }),
    },
    inputs: withFiles.inputs,
    filters: parsed.filters,
    outputs,
    admin: parsed.admin,
    shutdownTimeout: parsed.shutdownTimeout,
    routing: parsed.routing,
    secrets: collectSecrets(withFiles.inputs, outputs),
  };
}

/** Whether key path `path` is `base` or inside it: `inputs[0].port` is within `inputs[0]`. */
function within(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
}

function parseYaml(text: string, source: string): Record<string, unknown> {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${source}:${pos.line}:${pos.col}` : source;
    const what = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const line = pos ? (text.split(/\r?\n/)[pos.line - 1] ?? '') : '';
    const hint = line.includes('${') ? '; inside { } or [ ], write "${VAR}" in quotes' : '';
    throw new ConfigError('', `${where}: YAML syntax error: ${what}${hint}`);
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Unresolved aliases and alias bombs surface here, not in doc.errors.
    throw new ConfigError('', `${source}: YAML error: ${(err as Error).message}`);
  }
  if (tree === null || tree === undefined) return {};
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError('', `${source}: the config must be a YAML mapping with keys like buffer, inputs, outputs`);
  }
  // `inputs:` with every entry commented out is null: treat an empty section as absent.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) if (v !== null || !SECTIONS.has(k)) out[k] = v;
  return out;
}

const SECTIONS = new Set(['buffer', 'inputs', 'filters', 'outputs', 'admin']);

/** `<type>.<index>` for outputs without a name; names must be unique (status and metrics key on them). */
function nameOutputs(list: ParsedFile['outputs'], problems: Problem[]): OutputConfig[] {
  const seen = new Map<string, number>();
  return list.map((o, i) => {
    const name = o.name ?? `${o.type}.${i}`;
    const prior = seen.get(name);
    if (prior !== undefined) {
      problems.push({ path: `outputs[${i}].name`, message: `"${name}" is already the name of outputs[${prior}]; give each output its own name` });
    }
    seen.set(name, i);
    return { ...o, name };
  });
}

/** Buffer dir precedence: flag > env TDFWD_BUFFER > buffer.path > $XDG_STATE_HOME/tdfwd > ~/.local/state/tdfwd. */
export function resolveBufferDir(o: {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  configured?: string | undefined;
  baseDir?: string | undefined;
}): string {
  const home = o.env.HOME || homedir();
  if (o.flag) return resolve(o.flag);
  if (o.env.TDFWD_BUFFER) return resolve(o.env.TDFWD_BUFFER);
  if (o.configured) {
    const p = o.configured === '~' ? home : o.configured.startsWith('~/') ? join(home, o.configured.slice(2)) : o.configured;
    return isAbsolute(p) ? p : resolve(o.baseDir ?? process.cwd(), p);
  }
  // XDG says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = o.env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'tdfwd');
  return join(home, '.local', 'state', 'tdfwd');
}

/** The config without a file: no inputs, one td output for `td.**` from TD_API_SERVER / TD_API_KEY. */
export function defaultConfig(env: NodeJS.ProcessEnv, bufferFlag?: string): TdfwdConfig {
  const parsed: ParsedFile = fileSchema.parse({});
  const rawEndpoint = env.TD_API_SERVER || DEFAULT_TD_ENDPOINT;
  const endpoint = normalizeEndpoint(rawEndpoint);
  if (endpoint === undefined) {
    throw new ConfigError('', `TD_API_SERVER=${rawEndpoint} is not an http(s) URL or host name; fix or unset it`);
  }
  const td = outputSchema.parse({ type: 'td', name: 'td', match: 'td.**', endpoint, apikey: env.TD_API_KEY ?? '' });
  const outputs: OutputConfig[] = [{ ...td, name: td.name ?? 'td' }];
  return {
    buffer: { ...parsed.buffer, path: resolveBufferDir({ flag: bufferFlag, env }) },
    inputs: [],
    filters: [],
    outputs,
    admin: parsed.admin,
    shutdownTimeout: parsed.shutdownTimeout,
    routing: parsed.routing,
    secrets: collectSecrets([], outputs),
  };
}
