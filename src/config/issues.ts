// Turns schema issues into the sentences users see: every line names the key path as written in the
// file (`outputs[0].retry.max_wait: expected a duration like "30s" (got "5 minutes")`). All problems
// are reported at once, one per line, unknown keys first (a typo is usually also a "missing" key).
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { got } from './keys.js';

export interface Problem {
  path: string;
  message: string;
}

/** `inputs[1].path`, `outputs[0].headers["X.Odd key"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      if (/^[A-Za-z_][\w-]*$/.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required key is missing';
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected} (got ${got(issue.input)})`;
    case 'invalid_value':
      return `expected one of: ${issue.values.map(String).join(', ')} (got ${got(issue.input)})`;
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        const input = issue.input as Record<string, unknown> | undefined;
        const value = input && typeof input === 'object' ? input[issue.discriminator] : undefined;
        const allowed = issue.options.map(String).join(', ');
        if (value === undefined) return `required key is missing (one of: ${allowed})`;
        return `expected one of: ${allowed} (got ${got(value)})`;
      }
      return issue.message;
    }
    case 'too_small':
      if (issue.origin === 'string' || issue.origin === 'array') return 'must not be empty';
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

export function problemsOf(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const unknown: Problem[] = [];
  const rest: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) unknown.push({ path: formatPath([...issue.path, key]), message: issue.message });
    } else {
      rest.push({ path: formatPath(issue.path), message: messageOf(issue) });
    }
  }
  return [...unknown, ...rest];
}

const MAX_LINES = 20;

/** One ConfigError for all problems: `path` is the first problem's, the message has one line each. */
export function configError(problems: readonly Problem[]): ConfigError {
  const [first, ...rest] = problems;
  if (!first) return new ConfigError('', 'the config is invalid');
  const lines = rest.slice(0, MAX_LINES - 1).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  if (rest.length >= MAX_LINES) lines.push(`... and ${rest.length - MAX_LINES + 1} more problems`);
  return new ConfigError(first.path, [first.message, ...lines].join('\n'));
}
