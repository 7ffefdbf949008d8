// Reading the declared keys back out of the schemas, so that everything said about a key is said
// once, where it is declared: `config check` renders the resolved config under the same snake_case
// keys (render.ts), secrets are collected by the keys' `kind` (secrets.ts), and examples/full.yaml
// is generated from the descriptions, defaults and examples (example.ts). Only the zod schema kinds
// the config uses are looked through: wrappers (optional, prefault, default, nullable), pipes
// (section's rename, transforms), objects, arrays, records, unions, enums and literals.
import { z } from 'zod';
import { camelCase, type KeyDoc, type KeyKind } from './keys.js';

export type Schema = z.core.$ZodType;

export interface DeclaredKey {
  /** Metadata of the key and its wrappers; the outermost wins (`.describe()` after a helper's). */
  doc: KeyDoc;
  /** The default as written in the file (a prefault is the unparsed value: "8MiB", "10s"). */
  default?: { value: unknown };
  optional: boolean;
  /** The schema inside the wrappers. */
  inner: Schema;
}

const WRAPPERS = new Set(['optional', 'nullable', 'prefault', 'default', 'readonly', 'nonoptional']);

export function declaredKey(schema: Schema): DeclaredKey {
  let doc: KeyDoc = {};
  let dflt: { value: unknown } | undefined;
  let optional = false;
  let s = schema;
  for (;;) {
    doc = { ...(z.globalRegistry.get(s) as KeyDoc | undefined), ...doc };
    const def = s._zod.def;
    if (!WRAPPERS.has(def.type)) break;
    if (def.type === 'optional') optional = true;
    if ((def.type === 'prefault' || def.type === 'default') && dflt === undefined) {
      dflt = { value: (def as z.core.$ZodPrefaultDef).defaultValue };
    }
    s = (def as z.core.$ZodOptionalDef).innerType;
  }
  return { doc, ...(dflt ? { default: dflt } : {}), optional, inner: s };
}

/** The declared keys of a mapping (a section, or a plain object schema), or undefined. */
export function shapeOf(schema: Schema): Readonly<Record<string, Schema>> | undefined {
  const s = declaredKey(schema).inner;
  const def = s._zod.def;
  if (def.type === 'object') return (def as z.core.$ZodObjectDef).shape;
  if (def.type === 'pipe') return shapeOf((def as z.core.$ZodPipeDef).in);
  return undefined;
}

/** The words an enum key accepts (also through a transform, as http's `method`), or undefined. */
export function choicesOf(schema: Schema): string[] | undefined {
  const def = declaredKey(schema).inner._zod.def;
  if (def.type === 'enum') return Object.values((def as z.core.$ZodEnumDef).entries).map(String);
  if (def.type === 'pipe') {
    const pipe = def as z.core.$ZodPipeDef;
    return choicesOf(pipe.out) ?? choicesOf(pipe.in);
  }
  return undefined;
}

/** The element schema of a list key, or undefined. */
export function elementOf(schema: Schema): Schema | undefined {
  const def = declaredKey(schema).inner._zod.def;
  return def.type === 'array' ? (def as z.core.$ZodArrayDef).element : undefined;
}

/** The options of a discriminated union with their discriminator values (`stdin`, `tail`, ...). */
export function unionOptions(schema: Schema): { key: string; options: Array<{ value: string; schema: Schema }> } | undefined {
  const def = declaredKey(schema).inner._zod.def;
  if (def.type !== 'union') return undefined;
  const key = (def as z.core.$ZodDiscriminatedUnionDef).discriminator;
  if (key === undefined) return undefined;
  const options = (def as z.core.$ZodUnionDef).options.map((option) => {
    const literal = shapeOf(option)?.[key]?._zod.def as z.core.$ZodLiteralDef<string> | undefined;
    return { value: String(literal?.values[0]), schema: option };
  });
  return { key, options };
}

/** How `fileForm` turns one resolved value of a key with a `kind` into what the file shows. */
export type LeafForm = (kind: KeyKind, value: unknown) => unknown;

/**
 * A resolved (camelCase) value back in the file's form: each declared key under its snake_case name
 * (unset keys left out), union members by their `type`, and the values of keys with a `kind` through
 * `leaf` (a duration back to "30s", a secret masked). Values of keys the schema does not declare
 * (the loader's `secrets`) are left out.
 */
export function fileForm(schema: Schema, value: unknown, leaf: LeafForm): unknown {
  if (value === undefined || value === null) return value;
  const key = declaredKey(schema);
  if (key.doc.kind !== undefined) return leaf(key.doc.kind, value);
  if (Array.isArray(value)) {
    const element = elementOf(key.inner);
    return element === undefined ? value : value.map((item) => fileForm(element, item, leaf));
  }
  if (typeof value !== 'object') return value;
  const union = unionOptions(key.inner);
  if (union !== undefined) {
    const which = (value as Record<string, unknown>)[camelCase(union.key)];
    const option = union.options.find((o) => o.value === which);
    return option === undefined ? value : fileForm(option.schema, value, leaf);
  }
  const shape = shapeOf(key.inner);
  if (shape === undefined) return value;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(shape)) {
    const v = fileForm(child, (value as Record<string, unknown>)[camelCase(name)], leaf);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
