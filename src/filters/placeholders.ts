// Record placeholders in filter values: `${hostname}`, `${tag}` and `${tag_parts[N]}` (0-based; a
// negative N counts from the end, as fluentd's `tag_parts[-1]`). They are not environment variables:
// the config's `${VAR}` expansion (config/expand.ts) leaves exactly these forms alone, and a filter
// fills them in for each tag. Pure functions.

/** The body of a placeholder, inside `${` and `}`. */
const BODY = /^(?:hostname|tag|tag_parts\[(-?(?:0|[1-9][0-9]*))\])$/;
const ANY = /\$\{(hostname|tag|tag_parts\[-?(?:0|[1-9][0-9]*)\])\}/g;

export interface PlaceholderValues {
  tag: string;
  hostname: string;
}

/** Whether `${body}` is a record placeholder. */
export function isPlaceholder(body: string): boolean {
  return BODY.test(body);
}

/**
 * Whether `${body}` was meant as a record placeholder but is not one (`tag_parts[x]`,
 * `tag_parts[01]`, `record["a"]`): a message that lists the placeholders helps more than one about
 * environment variable names.
 */
export function looksLikePlaceholder(body: string): boolean {
  return /^(?:tag_parts|tag\b|hostname\b|record\b)/.test(body) || body.includes('[');
}

export const PLACEHOLDER_LIST = '${hostname}, ${tag}, ${tag_parts[N]} (N a whole number, negative from the end)';

/** The text as a config value that expands back to it: `${` escaped as `$${`, placeholders as written. */
export function escapeReferences(text: string): string {
  return text.replace(/\$\{(?!(?:hostname|tag|tag_parts\[-?(?:0|[1-9][0-9]*)\])\})/g, '$$${');
}

/** Whether the text holds any placeholder (else it is the same for every tag). */
export function hasPlaceholder(text: string): boolean {
  ANY.lastIndex = 0;
  return ANY.test(text);
}

/** The text with its placeholders filled in; a tag part out of range is empty (as in fluentd). */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  const parts = values.tag.split('.');
  return text.replace(ANY, (_whole: string, body: string) => {
    if (body === 'hostname') return values.hostname;
    if (body === 'tag') return values.tag;
    const n = Number((BODY.exec(body) as RegExpExecArray)[1]);
    return parts[n < 0 ? parts.length + n : n] ?? '';
  });
}
