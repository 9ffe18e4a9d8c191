/**
 * errors.ts loads no zod, yet a ZodError thrown anywhere is still INVALID_INPUT worded exactly as
 * z.prettifyError words it (nested paths, array indexes, keys that are not identifiers, several issues).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PrognosError, toErrorValue } from '../../../src/shared/errors';
import { errorSchema } from '../../../src/shared/error-schema';

function zodErrorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected the value to fail');
  return r.error;
}

describe('toErrorValue', () => {
  const schema = z.object({
    name: z.string().min(2),
    rows: z.array(z.object({ 'odd key': z.number(), ok: z.boolean() })),
    nested: z.object({ deep: z.object({ value: z.number().int() }) }),
  });

  it('words a ZodError as z.prettifyError does', () => {
    const cases: unknown[] = [
      { name: 'x', rows: [{ 'odd key': 'no', ok: 1 }], nested: { deep: { value: 1.5 } } },
      'not an object',
      { name: 'ok name', rows: [], nested: { deep: {} } },
      { name: 'ok name', rows: [{ 'odd key': 1, ok: true }, {}], nested: { deep: { value: 2 } } },
    ];
    for (const value of cases) {
      const e = zodErrorOf(schema, value);
      expect(toErrorValue(e)).toEqual({ code: 'INVALID_INPUT', message: z.prettifyError(e) });
    }
  });

  it('a ZodError thrown by a parse is recognised too; other errors keep their codes', () => {
    let thrown: unknown;
    try {
      z.number().parse('seven');
    } catch (e) {
      thrown = e;
    }
    expect(toErrorValue(thrown)).toEqual({ code: 'INVALID_INPUT', message: z.prettifyError(thrown as z.ZodError) });
    expect(toErrorValue(new PrognosError('NOT_FOUND', 'no run'))).toEqual({ code: 'NOT_FOUND', message: 'no run' });
    expect(toErrorValue(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toErrorValue({ issues: [{ message: 'looks like one' }] })).toEqual({ code: 'INTERNAL', message: '[object Object]' });
  });

  it('the error values it makes pass the schema the contract checks them with', () => {
    const v = toErrorValue(new PrognosError('BAD_FILE', 'bad', { issues: [{ file: 'f.txt', line: 3, reason: 'not a number' }], totalIssues: 1 }));
    expect(errorSchema.parse(v)).toEqual(v);
  });
});
