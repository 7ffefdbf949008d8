import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import YAML from 'yaml';
import { exampleConfig } from '../../src/config/example.js';
import { declaredKey, elementOf, shapeOf, unionOptions, type Schema } from '../../src/config/key-docs.js';
import { duration, section, text } from '../../src/config/keys.js';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfig } from '../../src/config/render.js';
import { fileSchema } from '../../src/config/schema.js';

/** Every declared key of the file's schema, as `inputs[tail].rotate_wait`, with its schema. */
function declaredKeys(schema: Schema, where = ''): Array<[string, Schema]> {
  const element = elementOf(schema);
  const union = element === undefined ? undefined : unionOptions(element);
  if (union !== undefined) {
    return union.options.flatMap((o) => declaredKeys(o.schema, `${where}[${o.value}]`));
  }
  const shape = declaredKey(schema).doc.kind === undefined ? shapeOf(schema) : undefined;
  if (shape === undefined) return [[where, schema]];
  return Object.entries(shape).flatMap(([k, s]) => (k === 'type' && where.endsWith(']') ? [] : declaredKeys(s, where ? `${where}.${k}` : k)));
}

describe('examples/full.yaml', () => {
  it('is generated from the schemas', () => {
    const committed = readFileSync('examples/full.yaml', 'utf8');
    expect(committed, 'examples/full.yaml is out of date with the config schemas: run `npm run config:example` and commit it').toBe(exampleConfig());
  });

  it('shows every declared key, each with a description', () => {
    const text = exampleConfig();
    const keys = declaredKeys(fileSchema);
    expect(keys.length).toBeGreaterThan(40);
    for (const [where, schema] of keys) {
      const name = where.split('.').pop() ?? where;
      expect(text, `${where} is not in the example`).toMatch(new RegExp(`^ *(# )?${name}:`, 'm'));
      expect(declaredKey(schema).doc.description, `${where} has no .describe() text`).toBeTruthy();
    }
  });

  it('is a config that loads: examples and defaults are valid values', () => {
    const cfg = parseConfigText(exampleConfig(), { env: { HOME: '/h', TD_API_KEY: 'k' }, source: 'full.yaml', forDaemon: true });
    expect(cfg.inputs.map((i) => i.type)).toEqual(['stdin', 'tail', 'forward', 'http', 'syslog']);
    expect(cfg.outputs.map((o) => o.type)).toEqual(['td', 'http', 'stdout', 'forward']);
  });

  it('config check renders back every key the example sets (a type whose rename misses a key would drop it)', () => {
    const cfg = parseConfigText(exampleConfig(), { env: { HOME: '/h', TD_API_KEY: 'k' }, source: 'full.yaml' });
    const paths = (node: unknown, at = ''): string[] =>
      node !== null && typeof node === 'object' && !Array.isArray(node)
        ? Object.entries(node).flatMap(([k, v]) => (k === 'headers' ? [`${at}.${k}`] : paths(v, `${at}.${k}`)))
        : Array.isArray(node) && node.every((n) => n !== null && typeof n === 'object')
          ? node.flatMap((n, i) => paths(n, `${at}[${i}]`))
          : [at];
    const rendered = new Set(paths(YAML.parse(renderConfig(cfg))));
    const written = paths(YAML.parse(exampleConfig()));
    expect(written.length).toBeGreaterThan(40);
    expect(written.filter((p) => !rendered.has(p))).toEqual([]);
  });

  it('a mapping whose keys are all unset is commented out whole', () => {
    const schema = section({
      tls: section({ ca_file: text().optional().describe('a CA').meta({ example: '/ca.pem', commented: true }) })
        .optional()
        .describe('TLS'),
    });
    expect(exampleConfig(schema)).toContain('# tls:                          # TLS\n  # ca_file: /ca.pem            # a CA');
    expect(YAML.parse(exampleConfig(schema))).toBeNull();
  });

  it('a commented example and an optional key without one are commented-out lines; a required key needs one', () => {
    const schema = section({
      items: z
        .array(
          z.discriminatedUnion('type', [
            section({
              type: z.literal('thing'),
              tag: text().describe('the tag').meta({ example: 'a.b' }),
              wait: duration('5s').describe('how long'),
              note: text().optional().describe('a note'),
              host: text().optional().describe('a host').meta({ example: 'h1', commented: true }),
            }).describe('One kind of thing.'),
          ]),
        )
        .prefault([]),
    });
    const text1 = exampleConfig(schema);
    expect(text1).toContain(
      ['items:', '  # One kind of thing.', '  - type: thing                 # thing', '    tag: a.b                    # the tag',
        '    wait: 5s                    # how long', '    # note:                     # a note', '    # host: h1                  # a host'].join('\n'),
    );
    expect(YAML.parse(text1)).toEqual({ items: [{ type: 'thing', tag: 'a.b', wait: '5s' }] });

    const bad = section({ port: z.number().describe('no default, no example') });
    expect(() => exampleConfig(bad)).toThrow('port has no default and no example: give it one in its schema with .meta({ example: ... })');
  });
});
