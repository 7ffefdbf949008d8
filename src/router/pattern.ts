// fluentd tag patterns: `*` one tag part, `**` zero or more parts, `{a,b}` alternatives (nestable),
// several patterns separated by spaces match if any does. Compiled once to a RegExp.

export type TagMatcher = (tag: string) => boolean;

export function compilePattern(pattern: string): TagMatcher {
  const alternatives = pattern.trim().split(/\s+/).filter(Boolean);
  if (alternatives.length === 0) throw new Error('empty tag pattern');
  const re = new RegExp(`^(?:${alternatives.map(toRegexSource).join('|')})$`);
  return (tag) => re.test(tag);
}

function toRegexSource(p: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*' && p[i + 1] === '*') {
      // `a.**` also matches `a`; `**.b` also matches `b`.
      const dotAfter = p[i + 2] === '.';
      if (out.endsWith('\\.')) {
        out = out.slice(0, -2) + '(?:\\.[^.]+)*';
      } else if (dotAfter) {
        out += '(?:[^.]+\\.)*';
        i++;
      } else {
        out += '.*';
      }
      i++;
    } else if (c === '*') {
      out += '[^.]+';
    } else if (c === '{') {
      out += '(?:';
      depth++;
    } else if (c === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (c === ',' && depth > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+?^$()[\]\\|]/g, '\\$&');
    }
  }
  if (depth !== 0) throw new Error(`unbalanced { } in tag pattern "${p}"`);
  return out;
}
