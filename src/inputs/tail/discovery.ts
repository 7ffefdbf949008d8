// Which files a tail input follows, and under which tag: glob expansion (tinyglobby) with the
// `exclude` globs, and fluentd's `*` tag expansion. Pure apart from the directory listing.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { glob } from 'tinyglobby';

export interface Discovery {
  /** Absolute paths of the regular files matching the globs now, minus the excluded ones. */
  expand(): Promise<string[]>;
}

export function createDiscovery(path: string | readonly string[], exclude: readonly string[] = []): Discovery {
  const patterns = (typeof path === 'string' ? [path] : [...path]).map((p) => (isAbsolute(p) ? p : resolve(p)));
  // A relative exclude (`*.gz`, as Fluent Bit users write it) applies at any depth: tinyglobby matches
  // ignore patterns against absolute paths when the patterns are absolute.
  const ignore = exclude.map((p) => (isAbsolute(p) ? p : `/**/${p}`));
  return {
    async expand() {
      // cwd '/': every pattern is absolute, and tinyglobby matches `/**/x` ignores relative to its cwd,
      // so any other cwd (the daemon's, a test runner's) would make a relative exclude miss.
      const found = await glob(patterns, { absolute: true, onlyFiles: true, ignore, followSymbolicLinks: true, cwd: '/' });
      return found.sort();
    },
  };
}

/** The path as a tag suffix, the way fluentd in_tail builds it: `/var/log/a.log` → `var.log.a.log`. */
export function pathTag(path: string): string {
  return path
    .replace(/\/+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .replace(/\.{2,}/g, '.');
}

/** `app.*` for `/var/log/a.log` → `app.var.log.a.log`; a tag without `*` is used as is. */
export function tagForPath(tagPattern: string, path: string): string {
  return tagPattern.includes('*') ? tagPattern.split('*').join(pathTag(path)) : tagPattern;
}

export async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

export async function inodeOf(path: string): Promise<string | null> {
  const st = await statOrNull(path);
  return st ? String(st.ino) : null;
}
