// `${VAR}` and `${VAR:-default}` expansion in string values of the parsed YAML tree (after parsing,
// so YAML quoting is unaffected). `$${VAR}` is a literal `${VAR}`. Shell semantics for `:-`: the
// default applies when the variable is unset or empty; a plain `${VAR}` that is unset is an error.
// The record placeholders of filters (`${hostname}`, `${tag}`, `${tag_parts[N]}`) are not variables:
// they are left as written, everywhere, for the filters to fill in per tag (filters/placeholders.ts).
import { PLACEHOLDER_LIST, isPlaceholder, looksLikePlaceholder } from '../filters/placeholders.js';
import { formatPath, type Problem } from './issues.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands one string; pushes a problem (and leaves the reference as written) on a bad or unset one. */
export function expandString(
  value: string,
  env: NodeJS.ProcessEnv,
  path: readonly PropertyKey[],
  problems: Problem[],
): string {
  return value.replace(REFERENCE, (whole: string, body: string | undefined) => {
    if (body === undefined) return '${'; // the $${ escape
    if (isPlaceholder(body)) return whole;
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      const placeholder = sep === -1 && looksLikePlaceholder(body);
      problems.push({
        path: formatPath(path),
        message: placeholder
          ? `${whole} is not a record placeholder (they are ${PLACEHOLDER_LIST}) nor an environment variable; write $\${...} for a literal "\${"`
          : `${whole} is not a valid variable reference; write $\${...} for a literal "\${"`,
      });
      return whole;
    }
    const set = env[name];
    if (sep !== -1) return set === undefined || set === '' ? body.slice(sep + 2) : set;
    if (set === undefined) {
      problems.push({
        path: formatPath(path),
        message: `environment variable ${name} is not set; set it, or write \${${name}:-default}`,
      });
      return whole;
    }
    return set;
  });
}

/** A copy of the tree with every string value expanded; keys are left alone. */
export function expandTree(
  node: unknown,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof node === 'string') return expandString(node, env, path, problems);
  if (Array.isArray(node)) return node.map((item, i) => expandTree(item, env, problems, [...path, i]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = expandTree(v, env, problems, [...path, k]);
    return out;
  }
  return node;
}
