// The vocabulary of config values: one helper per kind (duration, size, count, ratio, switch, choice),
// each accepting what YAML or `${VAR}` expansion can produce (expansion always yields strings, so
// `port: ${PORT}` must parse as a number) and saying what it expected when it cannot. `section`
// declares a mapping's keys once, in snake_case, and resolves it to camelCase; the `kind` metadata a
// helper attaches (duration, size, secret, ...) is what `config check` renders and masks by
// (key-docs.ts), and `example` / `commented` are what examples/full.yaml shows (example.ts).
import { z } from 'zod';
import { parseDuration, parseSize } from '../core/units.js';

type Ctx = z.core.$RefinementCtx;

/** A short, safe rendering of a bad value for "(got ...)": never a whole mapping or list. */
export function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function invalid(ctx: Ctx, v: unknown, message: string): never {
  ctx.issues.push({ code: 'custom', message: v === undefined ? 'required key is missing' : message, input: v });
  return z.NEVER;
}

/**
 * An object whose unknown keys are errors that list the keys it does know. A literal `type` (the
 * discriminator, which must already be right for this schema to be chosen) is left out of the list.
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape).filter((k) => !(k === 'type' && shape[k] instanceof z.ZodLiteral));
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `unknown key (expected one of: ${known.join(', ')})` : undefined,
  });
}

/**
 * `read_from_head` → `readFromHead`, at the type level. Keys are lowercase words joined by `_`
 * (section() checks), for which this and camelCase() agree.
 */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** An object type with its keys renamed by CamelCase (optional keys stay optional). */
export type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

const SNAKE_KEY = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export function camelCase<S extends string>(key: S): CamelCase<S> {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

/** Every declared key, renamed; an unset optional key is present with the value undefined. */
function camelKeys<T extends object>(keys: readonly string[], value: T): CamelKeys<T> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[camelCase(k)] = (value as Record<string, unknown>)[k];
  return out as CamelKeys<T>;
}

/**
 * A config mapping: its keys declared once, in snake_case as written in YAML, unknown keys rejected
 * (strict), resolved to the same keys in camelCase (`read_from_head` → `readFromHead`). A key's
 * value is resolved by its own schema (defaults, units); nested mappings are sections of their own,
 * and the keys of a free-form record (http headers) are left as written.
 */
export function section<S extends z.core.$ZodLooseShape>(shape: S) {
  const keys = Object.keys(shape);
  for (const key of keys) {
    if (!SNAKE_KEY.test(key)) throw new Error(`config key "${key}" is not snake_case (lowercase words joined by _)`);
  }
  return strict(shape).transform((value) => camelKeys(keys, value));
}

/** How `config check` renders a resolved value (key-docs.ts): as written in the file, or masked. */
export type KeyKind = 'duration' | 'size' | 'secret' | 'url' | 'headers';

/**
 * What a key says about itself besides its schema: `description` (zod's `.describe()`), `kind`, and
 * for examples/full.yaml an `example` value (shown instead of the default; required keys need one)
 * and `commented` (shown as a commented-out line, for keys best left unset).
 */
export interface KeyDoc {
  description?: string;
  kind?: KeyKind;
  example?: unknown;
  commented?: boolean;
}

/** Marks a string as a secret: masked by key in `config check`, and searched for in log lines. */
export function secret<T extends z.ZodType<string | undefined>>(schema: T): T {
  return schema.meta({ kind: 'secret' } satisfies KeyDoc);
}

/** Milliseconds, from "500ms" / "30s" / "5m" / "72h" or a bare number of seconds. */
export function duration(def: string, opts: { positive?: boolean } = {}) {
  return z
    .unknown()
    .transform((v, ctx) => {
      const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
      if (ms === undefined) return invalid(ctx, v, `expected a duration like "30s" (got ${got(v)})`);
      if (opts.positive && ms <= 0) return invalid(ctx, v, `must be longer than 0 (got ${got(v)})`);
      return Math.round(ms);
    })
    .prefault(def)
    .meta({ kind: 'duration' } satisfies KeyDoc);
}

/** Bytes, from "512KiB" / "8MiB" / "2GiB" / "1GB" or a bare number of bytes. */
export function size(def: string) {
  return z
    .unknown()
    .transform((v, ctx) => {
      const bytes = typeof v === 'string' || typeof v === 'number' ? parseSize(v) : undefined;
      if (bytes === undefined) return invalid(ctx, v, `expected a size like "8MiB" (got ${got(v)})`);
      if (bytes <= 0) return invalid(ctx, v, `must be larger than 0 (got ${got(v)})`);
      return bytes;
    })
    .prefault(def)
    .meta({ kind: 'size' } satisfies KeyDoc);
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** A whole number in [min, max]. */
export function count(def: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .unknown()
    .transform((v, ctx) => {
      const n = toNumber(v);
      if (n === undefined || !Number.isInteger(n)) return invalid(ctx, v, `expected a whole number (got ${got(v)})`);
      if (n < min || n > max) return invalid(ctx, v, `must be between ${min} and ${max} (got ${n})`);
      return n;
    })
    .prefault(def);
}

/** `null` (no limit) or a whole number >= min. */
export function countOrNull(min: number) {
  return z
    .unknown()
    .transform((v, ctx): number | null => {
      if (v === null || v === 'null') return null;
      const n = toNumber(v);
      if (n === undefined || !Number.isInteger(n) || n < min) {
        return invalid(ctx, v, `expected null (no limit) or a whole number >= ${min} (got ${got(v)})`);
      }
      return n;
    })
    .prefault(null);
}

/** A fraction in [min, max] (exclusive of min when `above` is set). */
export function ratio(def: number, min: number, max: number, opts: { above?: boolean } = {}) {
  const range = `${opts.above ? 'above' : 'at least'} ${min} and at most ${max}`;
  return z
    .unknown()
    .transform((v, ctx) => {
      const n = toNumber(v);
      if (n === undefined) return invalid(ctx, v, `expected a number ${range} (got ${got(v)})`);
      if (n > max || n < min || (opts.above && n === min)) return invalid(ctx, v, `must be ${range} (got ${n})`);
      return n;
    })
    .prefault(def);
}

/** true / false (also the strings "true" / "false", as `${VAR}` expansion produces). */
export function flag(def: boolean) {
  return z
    .unknown()
    .transform((v, ctx) => {
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false') return false;
      return invalid(ctx, v, `expected true or false (got ${got(v)})`);
    })
    .prefault(def);
}

/** One of a fixed set of words. */
export function choice<const T extends readonly [string, ...string[]]>(values: T, def: T[number]) {
  return z.enum(values).prefault(def);
}

/** A non-empty string. */
export function text() {
  return z.string().min(1);
}

/** A TCP port; 0 asks the OS for a free one (tests). */
export function port(def: number) {
  return count(def, 0, 65535);
}

/** One string or a list of them, always resolved to a list. */
export function stringList(opts: { nonEmpty: boolean }) {
  return z.unknown().transform((v, ctx): string[] => {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || !list.every((s): s is string => typeof s === 'string' && s !== '')) {
      return invalid(ctx, v, `expected a string or a list of strings (got ${got(v)})`);
    }
    if (opts.nonEmpty && list.length === 0) return invalid(ctx, v, 'must name at least one entry');
    return list;
  });
}

/** A regular expression given as a string; checked to compile. */
export function pattern() {
  return text().superRefine((v, ctx) => {
    try {
      new RegExp(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(err as Error).message}`, input: v });
    }
  });
}
