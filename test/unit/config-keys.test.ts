import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { fileForm, declaredKey, unionOptions } from '../../src/config/key-docs.js';
import { INPUT_TYPES, inputSchema } from '../../src/config/inputs.js';
import { OUTPUT_TYPES, outputSchema } from '../../src/config/outputs.js';
import { camelCase, duration, flag, secret, section, size, text } from '../../src/config/keys.js';

describe('section: keys declared once in snake_case, resolved to camelCase', () => {
  const schema = section({
    read_from_head: flag(false).describe('x'),
    max_line_size: size('1MiB').describe('x'),
    time_key: text().optional().describe('x'),
  });

  it('renames every declared key; an unset optional key is present as undefined', () => {
    const value = schema.parse({ read_from_head: 'true' });
    expect(value).toEqual({ readFromHead: true, maxLineSize: 1024 * 1024, timeKey: undefined });
    expect(Object.keys(value)).toEqual(['readFromHead', 'maxLineSize', 'timeKey']);
    expectTypeOf(value).toEqualTypeOf<{ readFromHead: boolean; maxLineSize: number; timeKey?: string | undefined }>();
  });

  it('still rejects unknown keys, naming the snake_case ones it knows', () => {
    const r = schema.safeParse({ readFromHead: true });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('unknown key (expected one of: read_from_head, max_line_size, time_key)');
  });

  it('a key that is not snake_case is refused where it is declared', () => {
    expect(() => section({ readFromHead: flag(false) })).toThrow('config key "readFromHead" is not snake_case');
    expect(() => section({ bad__key: flag(false) })).toThrow('not snake_case');
    expect(camelCase('decrease_ratio')).toBe('decreaseRatio');
    expect(camelCase('tls')).toBe('tls');
  });
});

describe('fileForm: a resolved value back under the declared keys', () => {
  const inner = section({ max_wait: duration('5m').describe('x') });
  const thing = section({
    type: z.literal('thing'),
    api_key: secret(z.string()).describe('x'),
    retry: inner.prefault({}),
    note: text().optional().describe('x'),
  });
  const file = section({ things: z.array(z.discriminatedUnion('type', [thing])).prefault([]), shutdown_timeout: duration('10s') });

  it('renames back, looks through unions and lists, leaves unset keys and undeclared values out', () => {
    const resolved = { ...file.parse({ things: [{ type: 'thing', api_key: 's3cret' }] }), secrets: ['s3cret'] };
    const seen: string[] = [];
    const out = fileForm(file, resolved, (kind, v) => {
      seen.push(kind);
      return kind === 'secret' ? '****' : `${String(v)}ms`;
    });
    expect(out).toEqual({ things: [{ type: 'thing', api_key: '****', retry: { max_wait: '300000ms' } }], shutdown_timeout: '10000ms' });
    expect(seen).toEqual(['secret', 'duration', 'duration']);
  });

  it("a key's metadata is read through its wrappers, the outermost first", () => {
    const key = declaredKey(duration('1s').optional().describe('outer').meta({ example: '2s' }));
    expect(key).toMatchObject({ doc: { kind: 'duration', description: 'outer', example: '2s' }, default: { value: '1s' }, optional: true });
  });
});

describe('the type registries', () => {
  it('each types list names the union members, in order', () => {
    expect(unionOptions(inputSchema)?.options.map((o) => o.value)).toEqual([...INPUT_TYPES]);
    expect(unionOptions(outputSchema)?.options.map((o) => o.value)).toEqual([...OUTPUT_TYPES]);
  });
});
