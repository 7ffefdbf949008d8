// examples/full.yaml, generated from the schemas: every declared key in declaration order, with its
// example value (KeyDoc.example) or else its default, and its `.describe()` text as the comment.
// `npm run config:example` writes the file (scripts/gen-full-config.js); a unit test checks that the
// committed file is this output, so a new key shows up in the example as soon as it is declared.
import YAML from 'yaml';
import { choicesOf, declaredKey, elementOf, shapeOf, unionOptions, type Schema } from './key-docs.js';
import { fileSchema } from './schema.js';

const HEADER = `# Every tdfwd config key with its default value and what it does. Generated from the config schemas
# (src/inputs/*/config.ts, src/outputs/*/config.ts, src/config/): run \`npm run config:example\` after
# changing a key. Durations: 500ms, 30s, 5m, 72h (a bare number is seconds). Sizes: 512KiB, 8MiB,
# 2GiB, 1GB (a bare number is bytes). \`\${VAR}\` expands from the environment (unset = error),
# \`\${VAR:-default}\` does not fail, \`$\${VAR}\` is a literal \`\${VAR}\`. Inside { } or [ ] quote
# references: "\${VAR}". Unknown keys are errors. Check a config with \`tdfwd -c FILE config check\`.
`;

/** Comments start at this column when the line leaves room; else they go on the line above. */
const COMMENT_COLUMN = 32;
const WIDTH = 120;
/** Comment blocks (a type's description, a long key description) wrap at this width. */
const BLOCK_WIDTH = 100;

/**
 * Flow style. Globs and tag patterns quoted, as a user should write them (a bare `**` is a YAML
 * alias); single quotes where they save escapes (a regexp's backslashes).
 */
function scalar(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return YAML.stringify(value, {
    collectionStyle: 'flow',
    lineWidth: 0,
    singleQuote: text.includes('\\\\'),
    defaultStringType: text.includes('*') ? 'QUOTE_DOUBLE' : 'PLAIN',
  }).trimEnd();
}

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + 2 + line.length + 1 + word.length > BLOCK_WIDTH) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}# ${line}`);
  return lines;
}

function withComment(line: string, comment: string | undefined, indent: string): string[] {
  if (!comment) return [line];
  const padded = line.length < COMMENT_COLUMN ? line.padEnd(COMMENT_COLUMN) : `${line} `;
  if (padded.length + 2 + comment.length <= WIDTH) return [`${padded}# ${comment}`];
  return [...wrap(comment, indent), line];
}

function commentOf(schema: Schema): string | undefined {
  const description = declaredKey(schema).doc.description;
  const choices = choicesOf(schema);
  if (choices === undefined) return description;
  return description ? `${description}: ${choices.join(' | ')}` : choices.join(' | ');
}

/** The lines of one key (a mapping's keys below it, indented). `where` names it in errors. */
function keyLines(name: string, schema: Schema, indent: string, where: string): string[] {
  const key = declaredKey(schema);
  const shape = key.doc.kind === undefined ? shapeOf(key.inner) : undefined;
  if (shape !== undefined && !('example' in key.doc)) {
    const children = Object.entries(shape).flatMap(([k, s]) => keyLines(k, s, `${indent}  `, `${where}.${k}`));
    // A mapping with no key set (an optional `tls:` whose keys are all commented out) is commented
    // out too: a bare `tls:` would be null.
    const off = key.doc.commented === true || children.every((line) => line.trimStart().startsWith('#'));
    const head = withComment(`${indent}${off ? '# ' : ''}${name}:`, key.doc.description, indent);
    return [...head, ...children.map((line) => (off && !line.trimStart().startsWith('#') ? `${indent}# ${line.slice(indent.length)}` : line))];
  }
  const value = 'example' in key.doc ? key.doc.example : key.default?.value;
  if (value === undefined && !key.optional) {
    throw new Error(`${where} has no default and no example: give it one in its schema with .meta({ example: ... })`);
  }
  const commented = key.doc.commented === true || value === undefined;
  const text = value === undefined ? `${name}:` : `${name}: ${scalar(value)}`;
  return withComment(`${indent}${commented ? '# ' : ''}${text}`, commentOf(schema), indent);
}

/**
 * A list of union members (inputs, outputs): one entry per type. Keys a later type shares with the
 * first (the same schema: outputs' name, timeout, retry, ...) are shown once, in the first entry,
 * unless they are required.
 */
function unionLines(name: string, union: NonNullable<ReturnType<typeof unionOptions>>): string[] {
  const lines = [`${name}:`];
  const first = shapeOf(union.options[0]?.schema ?? fileSchema) ?? {};
  union.options.forEach((option, i) => {
    const shape = shapeOf(option.schema) ?? {};
    const description = declaredKey(option.schema).doc.description;
    if (i > 0) lines.push('');
    if (description) lines.push(...wrap(description, '  '));
    const typeComment = i === 0 ? union.options.map((o) => o.value).join(' | ') : undefined;
    lines.push(...withComment(`  - ${union.key}: ${option.value}`, typeComment, '    '));
    const shared: string[] = [];
    for (const [k, s] of Object.entries(shape)) {
      if (k === union.key) continue;
      const key = declaredKey(s);
      if (i > 0 && first[k] === s && (key.optional || key.default !== undefined)) {
        shared.push(k);
        continue;
      }
      lines.push(...keyLines(k, s, '    ', `${name}[type: ${option.value}].${k}`));
    }
    if (shared.length > 0) lines.push(`    # ${shared.join(', ')}: as for ${union.options[0]?.value}`);
  });
  return lines;
}

export function exampleConfig(schema: Schema = fileSchema): string {
  const sections = Object.entries(shapeOf(schema) ?? {}).map(([name, s]) => {
    const element = elementOf(s);
    const union = element === undefined ? undefined : unionOptions(element);
    return union === undefined ? keyLines(name, s, '', name) : unionLines(name, union);
  });
  return `${HEADER}\n${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
