// One fluentd directive being converted: hands out its parameters and child directives by name,
// remembers which were used, and turns every one that was not into a `not converted:` note, so no
// part of td-agent.conf disappears from the result without a comment saying so.
import { basename, dirname, relative } from 'node:path';
import type { Directive, Param, Where } from './fluentd-config.js';
import type { Converted } from './fluentd-values.js';

/** Comment lines for one entry of the result, and the count of parts not converted. */
export class Notes {
  readonly lines: string[] = [];
  constructor(readonly place: Places) {}

  notConverted(w: Where, what: string): void {
    this.lines.push(`not converted: ${this.place.at(w)} ${what}`);
    this.place.count++;
  }

  info(text: string): void {
    this.lines.push(text);
  }
}

/** Names locations as `td-agent.conf:12` (included files relative to the main file's directory). */
export class Places {
  count = 0;
  constructor(readonly mainFile: string) {}

  at(w: Where): string {
    const rel = w.file === this.mainFile ? basename(w.file) : relative(dirname(this.mainFile), w.file);
    return `${rel}:${w.line}`;
  }
}

/** `<source>`, `@type tail` → `<source> @type tail`. */
export function describe(d: Directive): string {
  const type = d.params.find((p) => p.key === '@type' || p.key === 'type')?.value;
  const tag = d.arg ? `<${d.name} ${d.arg}>` : `<${d.name}>`;
  return type ? `${tag} @type ${type}` : tag;
}

/** Parameters fluentd itself reads on every plugin and tdfwd has no use for. */
const QUIET = new Set(['@type', 'type', '@id', 'id']);

export class Section {
  readonly #used = new Set<Param>();
  readonly #usedChildren = new Set<Directive>();

  constructor(
    readonly d: Directive,
    readonly notes: Notes,
  ) {}

  get type(): string {
    return (this.d.params.find((p) => p.key === '@type') ?? this.d.params.find((p) => p.key === 'type'))?.value ?? '';
  }

  /** The last parameter with this key (or one of its aliases), marked used. */
  take(...keys: string[]): Param | undefined {
    let found: Param | undefined;
    for (const p of this.d.params) {
      if (!keys.includes(p.key)) continue;
      this.#used.add(p);
      found = p;
    }
    return found;
  }

  /** Every parameter whose key matches, marked used (e.g. grep's regexp1, regexp2...). */
  takeMatching(re: RegExp): Param[] {
    const out = this.d.params.filter((p) => re.test(p.key));
    for (const p of out) this.#used.add(p);
    return out;
  }

  children(name: string): Directive[] {
    const out = this.d.children.filter((c) => c.name === name);
    for (const c of out) this.#usedChildren.add(c);
    return out;
  }

  /** Converts a parameter's value with `conv`; on failure notes it and returns undefined. */
  convert<T>(key: string | string[], conv: (raw: string, p: Param) => Converted<T>): T | undefined {
    const p = this.take(...(Array.isArray(key) ? key : [key]));
    if (!p) return undefined;
    const r = conv(p.value, p);
    if (r.ok) return r.value;
    this.notes.notConverted(p, `${p.key}: ${r.why}`);
    return undefined;
  }

  /** Notes a used parameter as not converted, with the reason. */
  reject(p: Param | undefined, why: string): void {
    if (p) this.notes.notConverted(p, `${p.key}${p.value ? ` ${shown(p)}` : ''} (${why})`);
  }

  /** Notes every parameter and child directive nobody took; `why` explains known keys. */
  finish(why: Readonly<Record<string, string>> = {}): void {
    for (const p of this.d.params) {
      if (this.#used.has(p) || QUIET.has(p.key)) continue;
      const reason = why[p.key] ?? 'no tdfwd equivalent';
      this.notes.notConverted(p, `${p.key}${p.value ? ` ${shown(p)}` : ''} (${reason})`);
    }
    for (const c of this.d.children) {
      if (this.#usedChildren.has(c)) continue;
      this.notes.notConverted(c, `${describe(c)} (${why[`<${c.name}>`] ?? 'no tdfwd equivalent'})`);
    }
  }
}

const SECRET_KEY = /(apikey|api_key|shared_key|password|passphrase|secret|token|access_key|secret_key|sec_key)$/i;

/** A parameter's value as a comment may show it: one line, secrets masked. */
function shown(p: Param): string {
  return SECRET_KEY.test(p.key) ? '****' : oneLine(p.value);
}

/** A value fit for a one-line comment. */
export function oneLine(v: string): string {
  const s = v.replace(/\s*\n\s*/g, ' ');
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
