// Spawn the real bin/tdfwd as a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/tdfwd.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  inputFile?: string;
  timeoutMs?: number;
  /** Run as this user and group (tests running as root use `nobody`, whom permissions apply to). */
  uid?: number;
  gid?: number;
}

/** Environment for a test: no inherited TD or tdfwd settings leak in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('TD_') || k.startsWith('TDFWD_')) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function spawnTdfwd(args: string[], opts: RunOptions = {}): ChildProcess {
  const as = opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {};
  return spawn(process.execPath, [BIN, ...args], { env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], ...as });
}

export function runTdfwd(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTdfwd(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.on('error', () => {});
    if (opts.inputFile) {
      import('node:fs').then((fs) => fs.createReadStream(opts.inputFile as string).pipe(child.stdin!));
    } else {
      child.stdin?.end(opts.input ?? '');
    }
  });
}

/** Poll until predicate is true or the timeout passes (then throw). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs}ms`);
}

export function jsonLines(n: number, offset = 0): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `{"seq":${i + offset},"msg":"hello ${i + offset}","path":"/api/v1/items/${(i + offset) % 97}"}\n`;
  return s;
}
