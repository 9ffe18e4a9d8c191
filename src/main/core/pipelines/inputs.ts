/**
 * The files a recipe names: a path relative to the recipe's folder (the CLI) or to the store's
 * pipeline files folder (the app, where a recipe may name nothing outside that folder: no absolute
 * path, no `..`, no symbolic link leading out), a folder, or a pattern with `*` and `?` in the file
 * name. Only regular files are read; their bytes' SHA-256 is part of a step's cache key.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PrognosError } from '../../../shared/errors';

export interface InputBase {
  /** the folder relative paths start from */
  readonly dir: string;
  /** the app's runs: every file must lie inside `dir` */
  readonly confined: boolean;
}

const isInside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function confinedPath(base: InputBase, text: string, what: string): string {
  if (!base.confined) return resolve(base.dir, text);
  const parts = text.split(/[\\/]+/);
  if (isAbsolute(text) || /^[A-Za-z]:/.test(text) || parts.includes('..')) {
    throw new PrognosError('FORBIDDEN', `${what} "${text}": a pipeline run from the app reads files inside its pipeline files folder only (${base.dir}); give a path relative to it, without "..".`);
  }
  return resolve(base.dir, text);
}

/** The real path of an existing regular file, checked to lie inside the base when confined. */
function checkedFile(base: InputBase, path: string, what: string, shown: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new PrognosError('NOT_FOUND', `${what} "${shown}": no such file (looked for ${path}).`);
  }
  if (base.confined && !isInside(real, realpathSync(base.dir))) {
    throw new PrognosError('FORBIDDEN', `${what} "${shown}": leads outside the pipeline files folder (${base.dir}) through a symbolic link; it is not read.`);
  }
  if (!statSync(real).isFile()) throw new PrognosError('BAD_FILE', `${what} "${shown}": is not a regular file.`);
  return real;
}

/** One file the recipe names (`evaluate.data`, `report.rul`, …). */
export function resolveInputFile(base: InputBase, text: string, what: string): string {
  return checkedFile(base, confinedPath(base, text, what), what, text);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]');
  return new RegExp(`^${escaped}$`);
}

/**
 * The file an import step names: a file; a folder (its regular files, hidden ones left out); or a
 * pattern (`*`, `?` in the last part). `pick` chooses among several: `single` (more than one is an
 * error listing them), `newest` (modification time, then name) or `last-by-name`.
 */
export function resolveImportFile(base: InputBase, text: string, pick: 'single' | 'newest' | 'last-by-name', what: string): string {
  const path = confinedPath(base, text, what);
  const name = basename(path);
  const pattern = /[*?]/.test(name);
  if (/[*?]/.test(dirname(path))) throw new PrognosError('INVALID_INPUT', `${what} "${text}": * and ? may stand in the file name only, not in a folder's name.`);
  let folder: string;
  let test: (n: string) => boolean;
  if (pattern) {
    folder = dirname(path);
    const re = globToRegExp(name);
    test = (n) => re.test(n);
  } else {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) return checkedFile(base, path, what, text);
    folder = path;
    test = (n) => !n.startsWith('.');
  }
  let names: string[];
  try {
    // a folder reached through a symbolic link out of the pipeline files folder is not even listed
    if (base.confined && !isInside(realpathSync(folder), realpathSync(base.dir))) {
      throw new PrognosError('FORBIDDEN', `${what} "${text}": leads outside the pipeline files folder (${base.dir}) through a symbolic link; it is not read.`);
    }
    names = readdirSync(folder);
  } catch (e) {
    if (e instanceof PrognosError) throw e;
    throw new PrognosError('NOT_FOUND', `${what} "${text}": no such folder ${folder}.`);
  }
  const matches = names
    .filter(test)
    .map((n) => join(folder, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  if (matches.length === 0) throw new PrognosError('NOT_FOUND', `${what} "${text}": no file matches in ${folder}.`);
  if (matches.length > 1 && pick === 'single') {
    const listed = matches.map((m) => relative(folder, m)).sort();
    throw new PrognosError('INVALID_INPUT', `${what} "${text}": ${matches.length} files match (${listed.slice(0, 5).join(', ')}${listed.length > 5 ? ', …' : ''}); set "pick" to "newest" or "last-by-name", or name one file.`);
  }
  const chosen =
    pick === 'newest'
      ? matches.map((p) => ({ p, t: statSync(p).mtimeMs })).sort((a, b) => b.t - a.t || (a.p < b.p ? 1 : -1))[0]!.p
      : [...matches].sort().at(-1)!;
  return checkedFile(base, chosen, what, relative(base.dir, chosen));
}

/** SHA-256 of a file's bytes, read as a stream (the thread stays free between chunks). */
export function fileSha256(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(h.digest('hex')));
  });
}
