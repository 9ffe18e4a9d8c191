import { describe, expect, it } from 'vitest';
import { PrognosError, type FileIssue } from '../../../src/shared/errors';
import { parseFleetFile, type ParseOptions } from '../../../src/main/core/data/import-file';
import { bad, data } from './paths';

async function failure(path: string, opts?: ParseOptions): Promise<PrognosError> {
  try {
    await parseFleetFile(path, opts);
  } catch (e) {
    if (e instanceof PrognosError) return e;
    throw e;
  }
  throw new Error(`${path} was accepted`);
}

function issues(e: PrognosError): FileIssue[] {
  return e.details?.issues ?? [];
}

describe('parseFleetFile rejects bad input with BAD_FILE naming file, line and reason', () => {
  it('non-numeric cell', async () => {
    const e = await failure(bad('non-numeric.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('non-numeric.txt:3: column s3: "abc" is not a number');
    expect(issues(e)).toEqual([{ file: 'non-numeric.txt', line: 3, column: 's3', reason: '"abc" is not a number' }]);
    expect(e.details?.totalIssues).toBe(1);
  });

  it('wrong column count', async () => {
    const e = await failure(bad('wrong-columns.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('wrong-columns.txt:2: expected 26 values, found 25');
  });

  it('missing value (NaN) in C-MAPSS text', async () => {
    const e = await failure(bad('nan-value.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('nan-value.txt:2: column s4: missing value ("NaN")');
  });

  it('missing value (empty cell) in CSV', async () => {
    const e = await failure(bad('missing-value.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('missing-value.csv:3: column T30: missing value');
  });

  it('cycles not increasing within a unit', async () => {
    const e = await failure(bad('cycle-not-increasing.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('cycle-not-increasing.txt:12: column cycle: cycle 7 follows cycle 9 of unit 3');
  });

  it('duplicated (unit, cycle)', async () => {
    const e = await failure(bad('duplicate-cycle.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('duplicate-cycle.txt:5: column cycle: duplicate row: unit 2 already has cycle 2');
  });

  it('a unit appearing again after other units', async () => {
    const e = await failure(bad('unit-not-contiguous.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(
      'unit-not-contiguous.txt:5: column unit: unit 1 appears again after other units (the rows of a unit must be contiguous)',
    );
  });

  it('unit and cycle not positive integers', async () => {
    const e = await failure(bad('bad-unit-cycle.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(issues(e)).toEqual([
      { file: 'bad-unit-cycle.txt', line: 1, column: 'unit', reason: 'unit must be a positive integer, found 0' },
      { file: 'bad-unit-cycle.txt', line: 2, column: 'cycle', reason: 'cycle must be a positive integer, found 1.5' },
      { file: 'bad-unit-cycle.txt', line: 3, column: 'unit', reason: 'unit must be a positive integer, found -2' },
    ]);
    expect(e.message).toContain('3 problems found:');
    expect(e.message).toContain('bad-unit-cycle.txt:2: column cycle: cycle must be a positive integer, found 1.5');
  });

  it('empty file', async () => {
    const e = await failure(bad('empty.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('empty.txt: file is empty');
  });

  it('file with blank lines only', async () => {
    const e = await failure(bad('blank.txt'));
    expect(e.message).toBe('blank.txt: file is empty');
  });

  it('CSV with a header and no data rows', async () => {
    const e = await failure(bad('header-only.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('header-only.csv:2: no data rows after the header');
  });

  it('CSV with a wrong number of cells', async () => {
    const e = await failure(bad('csv-wrong-columns.csv'));
    expect(e.message).toBe('csv-wrong-columns.csv:3: expected 3 values, found 2');
  });

  it('CSV without a unit column', async () => {
    const e = await failure(bad('no-unit-column.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/^no-unit-column\.csv:1: no unit column/);
  });

  it('binary file (NUL bytes)', async () => {
    const e = await failure(bad('binary.bin'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('binary.bin:2: not a text file (NUL byte at byte 9)');
  });

  it('invalid UTF-8', async () => {
    const e = await failure(bad('invalid-utf8.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/^invalid-utf8\.txt:2: not a text file \(invalid UTF-8 at byte \d+\)$/);
  });

  it('RUL file with the wrong number of values', async () => {
    const e = await failure(bad('rul-mismatch-data.txt'), { rulPath: bad('rul-mismatch-rul.txt') });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe('rul-mismatch-rul.txt:3: RUL file has 2 values but the data has 3 units: no RUL value for unit 3');
  });

  it('bad RUL values (negative, non-integer, text)', async () => {
    const e = await failure(data('small-4units.txt'), { rulPath: bad('rul-bad-values.txt') });
    expect(e.code).toBe('BAD_FILE');
    expect(issues(e)).toEqual([
      { file: 'rul-bad-values.txt', line: 2, reason: 'RUL must be a non-negative integer, found -3' },
      { file: 'rul-bad-values.txt', line: 3, reason: 'RUL must be a non-negative integer, found 4.5' },
      { file: 'rul-bad-values.txt', line: 4, reason: '"abc" is not a number' },
    ]);
  });

  it('uses the display names in messages', async () => {
    const e = await failure(bad('rul-mismatch-data.txt'), {
      rulPath: bad('rul-mismatch-rul.txt'),
      displayName: 'upload.txt',
      rulDisplayName: 'upload-rul.txt',
    });
    expect(e.message).toBe('upload-rul.txt:3: RUL file has 2 values but the data has 3 units: no RUL value for unit 3');
    const e2 = await failure(bad('non-numeric.txt'), { displayName: 'my data.txt' });
    expect(e2.message).toBe('my data.txt:3: column s3: "abc" is not a number');
  });

  it('lists 20 issues and counts them all', async () => {
    const e = await failure(bad('many-issues.txt'));
    expect(e.code).toBe('BAD_FILE');
    expect(issues(e)).toHaveLength(20);
    expect(e.details?.totalIssues).toBe(30);
    expect(issues(e)[19]).toEqual({ file: 'many-issues.txt', line: 20, column: 's7', reason: '"x20" is not a number' });
    expect(e.message.split('\n')[0]).toBe('30 problems found:');
    expect(e.message).toContain('many-issues.txt:1: column s7: "x1" is not a number');
    expect(e.message).toContain('… and 10 more');
    expect(e.message).not.toContain('"x21"');
  });

  it('a missing file is NOT_FOUND', async () => {
    const e = await failure(bad('no-such-file.txt'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('no-such-file.txt');
  });
});
