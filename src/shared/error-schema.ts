/**
 * The zod schemas of the error values in errors.ts, for the contract and the HTTP transport (kept
 * apart so that errors.ts loads no zod). The checks below fail to compile if a schema and its type in
 * errors.ts ever part.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorValue, type FileIssue } from './errors';

export const fileIssueSchema = z.object({
  file: z.string(),
  line: z.number().int().optional(),
  column: z.string().optional(),
  reason: z.string(),
});

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

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameIssue: Same<z.infer<typeof fileIssueSchema>, FileIssue> = true;
const sameError: Same<z.infer<typeof errorSchema>, ErrorValue> = true;
void sameIssue;
void sameError;
