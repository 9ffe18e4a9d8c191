/**
 * What an error may say to a client: the user's own file names, never a path on this machine (the
 * store's uploads folder, the app's install folder, the user's home).
 */
import { PrognosError, type ErrorValue } from '../../shared/errors';

const ABSOLUTE_PATH = /(?:[A-Za-z]:)?[\\/](?:[^\s'"`:,;()[\]{}<>\\/]+[\\/])+[^\s'"`:,;()[\]{}<>\\/]*/g;

/** Replaces every absolute path in a message by its last part. */
export function redactPaths(message: string): string {
  return message.replace(
    ABSOLUTE_PATH,
    (p) =>
      p
        .split(/[\\/]/)
        .filter((s) => s !== '')
        .pop() ?? '',
  );
}

/** An error value for a client: an internal error's message keeps no path. */
export function forClient(error: ErrorValue): ErrorValue {
  return error.code === 'INTERNAL' ? { ...error, message: redactPaths(error.message) } : error;
}

/** The same error with every mention of `path` (a stored upload, a granted file) replaced by `name`. */
export function naming(e: unknown, path: string, name: string): unknown {
  const swap = (s: string): string => s.split(path).join(name);
  if (e instanceof PrognosError) {
    const issues = e.details?.issues?.map((i) => ({ ...i, file: swap(i.file), reason: swap(i.reason) }));
    return new PrognosError(
      e.code,
      swap(e.message),
      e.details === undefined ? undefined : { ...e.details, ...(issues === undefined ? {} : { issues }) },
    );
  }
  if (e instanceof Error) return new Error(swap(e.message));
  return e;
}
