// The README and docs/ are read in a clone of the repo: every path they point to must be inside the
// repo and exist. A link like `../shared/incident-report-2019.txt` works only on the machine it was
// written on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Markdown files a reader of the repo opens: the README and everything in docs/. */
function documents(): string[] {
  const docs = join(ROOT, 'docs');
  return ['README.md', ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
}

/** Problems with the paths one markdown text points to, relative to the file at `file`. */
function pathProblems(file: string, text: string, root: string): string[] {
  const problems: string[] = [];
  const base = dirname(join(root, file));
  // [text](target) and ![alt](target), without a title part
  for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1] as string;
    if (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target)) continue; // a URL, mailto: or an anchor
    const path = resolve(base, decodeURIComponent(target.replace(/#.*$/, '')));
    const rel = relative(root, path);
    if (rel.startsWith(`..${sep}`) || rel === '..') problems.push(`${file}: link ${target} points outside the repo`);
    else if (!existsSync(path)) problems.push(`${file}: link ${target} points to a file that does not exist`);
  }
  // a path written as code: `../something`
  for (const m of text.matchAll(/`(\.\.\/[^`\s]*)`/g)) problems.push(`${file}: ${m[1] as string} points outside the repo`);
  return problems;
}

describe('README and docs/ point only inside the repo', () => {
  it('every link and ../ path of README.md and docs/*.md resolves to a file in the repo', () => {
    const problems = documents().flatMap((f) => pathProblems(f, readFileSync(join(ROOT, f), 'utf8'), ROOT));
    expect(problems).toEqual([]);
  });

  it('the check sees what a clone would miss', () => {
    const text = 'see (`../shared/incident-report-2019.txt`), [contract](../shared/PRODUCT.md), [gone](docs/nope.md), [ok](docs/incident-2019.md), [web](https://example.com/x), [here](#commands)';
    expect(pathProblems('README.md', text, ROOT)).toEqual([
      'README.md: link ../shared/PRODUCT.md points outside the repo',
      'README.md: link docs/nope.md points to a file that does not exist',
      'README.md: ../shared/incident-report-2019.txt points outside the repo',
    ]);
  });
});
