/**
 * Maps a request path onto a file under the renderer folder, or refuses it. Shared by the app://
 * protocol and the browser-mode server. No electron import.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The file under `rootDir` that `pathname` (still percent-encoded, as in a URL) names, or undefined
 * when it is malformed or could leave the folder: `..` segments (plain or encoded), backslashes,
 * NUL bytes, drive letters and absolute paths are all refused, and the result is checked to lie
 * inside `rootDir` whatever the platform's path rules.
 */
export function resolveStaticPath(rootDir: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const parts = rel.split('/');
  if (parts.some((p) => p === '..' || p === '.' || /^[a-zA-Z]:/.test(p))) return undefined;
  const root = resolve(rootDir);
  const file = resolve(join(root, rel));
  const back = relative(root, file);
  if (back === '' || back === '..' || back.startsWith(`..${sep}`) || isAbsolute(back)) return undefined;
  return file;
}
