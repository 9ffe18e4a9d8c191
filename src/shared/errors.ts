/**
 * Errors cross every boundary (IPC, HTTP, worker, CLI) as values with a closed set of codes.
 *
 * This module loads nothing: every thread imports it (the import worker and its helper thread first
 * thing), and zod costs ~120 ms to load per thread. The zod schemas of these values are in
 * error-schema.ts (for the contract and the HTTP transport); a ZodError thrown elsewhere is still
 * recognised here, as zod's own `instanceof` recognises it, and worded as `z.prettifyError` words it.
 */

export const ERROR_CODES = [
  'INVALID_INPUT', // the caller's arguments failed schema validation
  'BAD_FILE', // a data, RUL, config or bundle file failed validation (details list file/line/reason)
  'NOT_FOUND', // no dataset/run/job with that id
  'CANCELLED', // the user cancelled a long job
  'CONFLICT', // the operation clashes with the current state (e.g. job already running)
  'FORBIDDEN', // unknown channel, foreign sender, missing token
  'INTERNAL', // a bug: logged with a stack, reported without one
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FileIssue {
  file: string;
  line?: number | undefined;
  column?: string | undefined;
  reason: string;
}

export interface ErrorValue {
  code: ErrorCode;
  message: string;
  details?:
    | {
        [key: string]: unknown;
        issues?: FileIssue[] | undefined;
        totalIssues?: number | undefined;
      }
    | undefined;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** The one error class thrown on every side; carries a closed code and optional file issues. */
export class PrognosError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorValue['details'];
  constructor(code: ErrorCode, message: string, details?: ErrorValue['details']) {
    super(message);
    this.name = 'PrognosError';
    this.code = code;
    this.details = details;
  }
  toValue(): ErrorValue {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
  static fromValue(v: ErrorValue): PrognosError {
    return new PrognosError(v.code, v.message, v.details);
  }
}

/** A file failed validation. The message lists the first issues as `file:line: column: reason`. */
export function badFile(issues: readonly FileIssue[], totalIssues = issues.length): PrognosError {
  const shown = issues.slice(0, 20);
  const lines = shown.map(formatIssue);
  const more = totalIssues > shown.length ? `\n… and ${totalIssues - shown.length} more` : '';
  const head = totalIssues === 1 ? lines[0]! : `${totalIssues} problems found:\n${lines.join('\n')}${more}`;
  return new PrognosError('BAD_FILE', head, { issues: shown, totalIssues });
}

export function formatIssue(i: FileIssue): string {
  const where = i.line === undefined ? i.file : `${i.file}:${i.line}`;
  return i.column === undefined ? `${where}: ${i.reason}` : `${where}: column ${i.column}: ${i.reason}`;
}

export function toErrorValue(e: unknown): ErrorValue {
  if (e instanceof PrognosError) return e.toValue();
  if (isZodError(e)) {
    return { code: 'INVALID_INPUT', message: prettifyZodError(e) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message };
}

/** What this module reads of a zod issue. */
interface ZodIssueLike {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[] | undefined;
}

/** A ZodError, recognised as zod's own `instanceof z.ZodError` does: by the trait zod gives its instances. */
function isZodError(e: unknown): e is { issues: readonly ZodIssueLike[] } {
  if (typeof e !== 'object' || e === null) return false;
  const traits = (e as { _zod?: { traits?: unknown } })._zod?.traits;
  return traits instanceof Set && traits.has('ZodError');
}

/** `z.prettifyError(e)`: each issue as `✖ message`, then `  → at path` when it has one, shortest paths first. */
function prettifyZodError(e: { issues: readonly ZodIssueLike[] }): string {
  const lines: string[] = [];
  const issues = [...e.issues].sort((a, b) => (a.path ?? []).length - (b.path ?? []).length);
  for (const issue of issues) {
    lines.push(`✖ ${issue.message}`);
    if (issue.path !== undefined && issue.path.length > 0) lines.push(`  → at ${dotPath(issue.path)}`);
  }
  return lines.join('\n');
}

/** zod's `toDotPath`: `a.b[0]["odd key"]`. */
function dotPath(path: readonly (PropertyKey | { key: PropertyKey })[]): string {
  const segs: string[] = [];
  for (const part of path) {
    const seg = typeof part === 'object' ? part.key : part;
    if (typeof seg === 'number') segs.push(`[${seg}]`);
    else if (typeof seg === 'symbol') segs.push(`[${JSON.stringify(String(seg))}]`);
    else if (/[^\w$]/.test(seg)) segs.push(`[${JSON.stringify(seg)}]`);
    else {
      if (segs.length > 0) segs.push('.');
      segs.push(seg);
    }
  }
  return segs.join('');
}
