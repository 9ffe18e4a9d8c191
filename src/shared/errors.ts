/** Errors cross every boundary (IPC, HTTP, worker, CLI) as values with a closed set of codes. */
import { z } from 'zod';

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

export const fileIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  column: z.string().optional(),
  reason: z.string(),
});
export type FileIssue = z.infer<typeof fileIssueSchema>;

export const errorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z
    .object({
      issues: z.array(fileIssueSchema).optional(),
      totalIssues: z.number().int().optional(),
    })
    .catchall(z.unknown())
    .optional(),
});
export type ErrorValue = z.infer<typeof errorSchema>;

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
  if (e instanceof z.ZodError) {
    return { code: 'INVALID_INPUT', message: z.prettifyError(e) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message };
}
