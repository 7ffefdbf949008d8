// A reader for fluentd's config format (td-agent.conf), enough for `tdfwd migrate`: directives
// `<name arg> ... </name>` nested to any depth, `key value` parameters, `#` comments, '...' and "..."
// strings (double-quoted ones may span lines and embed Ruby as `#{...}`), JSON arrays and hashes that
// span lines, a key without a value (`auto_create_table` alone means true), and `@include` of files
// (relative to the including file, globs sorted as fluentd does). No npm package reads this format.
//
// It follows fluentd's v1 parser (lib/fluent/config/v1_parser.rb) where it matters: in an unquoted
// value `#` starts a comment only after a space (`a#b` is a value), `#{...}` is Ruby only inside
// double quotes, and `include` without `@` is the deprecated spelling of `@include`.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { ConfigError } from '../core/errors.js';

/** A piece of a value: literal text, or the code of a `"#{...}"` embedded Ruby expression. */
export type ValuePart = { text: string } | { ruby: string };

export interface Where {
  file: string;
  line: number;
}

export interface Param extends Where {
  key: string;
  /** The value as written, embedded Ruby kept as `#{code}`; "" for a key without a value. */
  value: string;
  parts: ValuePart[];
}

export interface Directive extends Where {
  name: string;
  arg: string;
  params: Param[];
  children: Directive[];
}

export interface ParsedConfig {
  root: Directive;
  /** Includes that were not followed (URLs, a glob matching nothing), with where they were. */
  skippedIncludes: Array<Where & { target: string; reason: string }>;
}

const MAX_INCLUDE_DEPTH = 16;

/** Reads `file` and everything it includes. Throws a ConfigError naming file:line on a syntax error. */
export function readFluentdConfig(file: string): ParsedConfig {
  const skipped: ParsedConfig['skippedIncludes'] = [];
  const root: Directive = { name: 'ROOT', arg: '', params: [], children: [], file, line: 1 };
  parseInto(root, readText(file, undefined), file, skipped, 0);
  return { root, skippedIncludes: skipped };
}

/** Parses text (named `file` in messages; includes resolved from its directory). */
export function parseFluentdConfig(text: string, file: string): ParsedConfig {
  const skipped: ParsedConfig['skippedIncludes'] = [];
  const root: Directive = { name: 'ROOT', arg: '', params: [], children: [], file, line: 1 };
  parseInto(root, text, file, skipped, 0);
  return { root, skippedIncludes: skipped };
}

function readText(file: string, from: Where | undefined): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read: ${(err as Error).message}`;
    const at = from ? `${from.file}:${from.line}: @include ` : '';
    throw new ConfigError('', `${at}${file} ${why}; give the path of a td-agent.conf or fluent.conf`);
  }
}

function parseInto(target: Directive, text: string, file: string, skipped: ParsedConfig['skippedIncludes'], depth: number): void {
  const s = new Scanner(text, file);
  const include = (at: Where, target: Directive, raw: string) => {
    const uri = raw.trim();
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file://')) {
      skipped.push({ ...at, target: uri, reason: 'an @include of a URL is not followed; copy that file next to this one' });
      return;
    }
    const path = uri.startsWith('file://') ? uri.slice('file://'.length) : uri;
    if (depth >= MAX_INCLUDE_DEPTH) throw new ConfigError('', `${at.file}:${at.line}: @include ${uri} nests deeper than ${MAX_INCLUDE_DEPTH} files; is a file including itself?`);
    const pattern = isAbsolute(path) ? path : resolve(dirname(file), path);
    const files = /[*?[{]/.test(pattern) ? globSync(pattern, { absolute: true, onlyFiles: true }).sort() : [pattern];
    if (files.length === 0) skipped.push({ ...at, target: uri, reason: 'no file matches it' });
    for (const f of files) parseInto(target, readText(f, at), f, skipped, depth + 1);
  };
  parseElements(s, target, null, include);
  s.skipSpacing();
  if (!s.eof()) s.fail('expected the end of the file');
}

type IncludeFn = (at: Where, target: Directive, uri: string) => void;

function parseElements(s: Scanner, into: Directive, open: Directive | null, include: IncludeFn): void {
  for (;;) {
    s.skipSpacing();
    if (s.eof()) {
      if (open) s.fail(`expected </${open.name}> (opened at line ${open.line}) but the file ended`);
      return;
    }
    const line = s.line;
    if (s.take('</')) {
      const name = s.match(/[A-Za-z0-9_]+/y) ?? '';
      s.skipBlanks();
      if (!s.take('>')) s.fail(`expected ">" after </${name}`);
      if (!open) s.fail(`</${name}> closes nothing`);
      if (name !== open.name) s.fail(`</${name}> does not close <${open.name}> (opened at line ${open.line})`);
      s.expectLineEnd('after an end tag');
      return;
    }
    if (s.take('<')) {
      const name = s.match(/[A-Za-z0-9_]+/y);
      if (!name) s.fail('expected a directive name after "<"');
      const arg = s.match(/[^>\r\n]*/y) ?? '';
      if (!s.take('>')) s.fail(`expected ">" to end <${name}`);
      s.expectLineEnd('after a directive tag');
      const d: Directive = { name, arg: arg.trim(), params: [], children: [], file: s.file, line };
      parseElements(s, d, d, include);
      into.children.push(d);
      continue;
    }
    const key = s.match(/[^\s#]+(?:#[^\s]*)*/y);
    if (!key) s.fail('expected a parameter name');
    s.skipBlanks();
    if (s.atLineEnd()) {
      s.expectLineEnd('');
      if (key === '@include' || key === 'include') s.fail('@include needs a file path');
      into.params.push({ key, value: '', parts: [], file: s.file, line });
      continue;
    }
    if (key === '@include' || (key === 'include' && open === null)) {
      const uri = s.restOfLine();
      include({ file: s.file, line }, into, uri);
      continue;
    }
    const parts = s.value();
    s.expectLineEnd(`after the value of ${key}`);
    into.params.push({ key, value: joinParts(parts), parts, file: s.file, line });
  }
}

export function joinParts(parts: readonly ValuePart[]): string {
  return parts.map((p) => ('text' in p ? p.text : `#{${p.ruby}}`)).join('');
}

/** A cursor over the text that knows its line number. */
class Scanner {
  pos = 0;
  line = 1;
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  eof(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new ConfigError('', `${this.file}:${this.line}: ${message}`);
  }

  #advance(n: number): string {
    const got = this.text.slice(this.pos, this.pos + n);
    for (const c of got) if (c === '\n') this.line++;
    this.pos += got.length;
    return got;
  }

  take(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.#advance(literal.length);
    return true;
  }

  /** Matches a sticky regexp at the cursor and consumes it. */
  match(re: RegExp): string | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m || m.index !== this.pos || m[0] === '') return null;
    return this.#advance(m[0].length);
  }

  /** Spaces, newlines and whole comments. */
  skipSpacing(): void {
    this.match(/(?:[ \t\r\n]+|#[^\n]*)+/y);
  }

  skipBlanks(): void {
    this.match(/[ \t]+/y);
  }

  /** At a newline, the end of the text, or a comment after blanks. */
  atLineEnd(): boolean {
    const c = this.text[this.pos];
    return c === undefined || c === '\n' || c === '\r' || c === '#';
  }

  expectLineEnd(context: string): void {
    this.skipBlanks();
    if (this.text[this.pos] === '#') this.match(/#[^\n]*/y);
    if (this.eof()) return;
    if (this.take('\r\n') || this.take('\n') || this.take('\r')) return;
    const rest = (/[^\r\n]*/y.exec(this.text.slice(this.pos)) ?? [''])[0];
    this.fail(`unexpected text ${JSON.stringify(rest.length > 20 ? `${rest.slice(0, 20)}...` : rest)}${context ? ` ${context}` : ''}`);
  }

  restOfLine(): string {
    return (this.match(/[^\r\n]*/y) ?? '').replace(/\s+#.*$/, '').trim();
  }

  value(): ValuePart[] {
    const c = this.text[this.pos];
    if (c === '"') return this.#doubleQuoted();
    if (c === "'") return [{ text: this.#singleQuoted() }];
    if (c === '[' || c === '{') return [{ text: this.#json(c) }];
    return [{ text: this.#unquoted() }];
  }

  /** Up to a comment that follows a blank, or the end of the line; trailing blanks dropped. */
  #unquoted(): string {
    const raw = this.match(/(?:[^\r\n#]|(?<![ \t])#)*/y) ?? '';
    const trimmed = raw.replace(/[ \t]+$/, '');
    return trimmed;
  }

  #singleQuoted(): string {
    const start = this.line;
    this.#advance(1);
    let out = '';
    for (;;) {
      if (this.eof()) this.fail(`a '...' string opened at line ${start} never ends`);
      if (this.take("\\'")) out += "'";
      else if (this.take('\\\\')) out += '\\';
      else if (this.take("'")) return out;
      else out += this.#advance(1);
    }
  }

  #doubleQuoted(): ValuePart[] {
    const start = this.line;
    this.#advance(1);
    const parts: ValuePart[] = [];
    let text = '';
    for (;;) {
      if (this.eof()) this.fail(`a "..." string opened at line ${start} never ends`);
      const c = this.text[this.pos] as string;
      if (c === '"') {
        this.#advance(1);
        if (text !== '' || parts.length === 0) parts.push({ text });
        return parts;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === undefined) this.fail(`a "..." string opened at line ${start} never ends`);
        this.#advance(2);
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', b: '\b' };
        if (e in map) text += map[e];
        else if (/[A-Za-z0-9]/.test(e)) this.fail(`unknown escape \\${e} in a "..." string`);
        else text += e;
        continue;
      }
      if (this.text.startsWith('#{', this.pos)) {
        this.#advance(2);
        if (text !== '') parts.push({ text });
        text = '';
        parts.push({ ruby: this.#rubyCode(start) });
        continue;
      }
      text += this.#advance(1);
    }
  }

  /** Ruby code up to the `}` that closes `#{`, skipping braces inside its own strings. */
  #rubyCode(start: number): string {
    let depth = 0;
    let code = '';
    let quote: string | null = null;
    for (;;) {
      if (this.eof()) this.fail(`embedded Ruby "#{...}" opened at line ${start} never ends`);
      const c = this.#advance(1);
      if (quote) {
        if (c === '\\') {
          code += c + this.#advance(1);
          continue;
        }
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}') {
        if (depth === 0) return code.trim();
        depth--;
      }
      code += c;
    }
  }

  /** A JSON array or hash, possibly over several lines (with # comments between its lines). */
  #json(open: string): string {
    const start = this.line;
    const close = open === '[' ? ']' : '}';
    let depth = 0;
    let out = '';
    let inString = false;
    for (;;) {
      if (this.eof()) this.fail(`a JSON ${open === '[' ? 'array' : 'hash'} opened at line ${start} never ends`);
      const c = this.#advance(1);
      if (inString) {
        out += c;
        if (c === '\\') out += this.#advance(1);
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '#') {
        this.match(/[^\n]*/y); // a comment between the lines of the value
        continue;
      }
      out += c;
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          if (c !== close) this.fail(`a JSON value opened with "${open}" at line ${start} closes with "${c}"`);
          try {
            return JSON.stringify(JSON.parse(out));
          } catch (err) {
            this.fail(`the JSON value opened at line ${start} is not valid JSON: ${(err as Error).message}`);
          }
        }
      }
    }
  }
}
