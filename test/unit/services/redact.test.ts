import { describe, expect, it } from 'vitest';
import { forClient, naming, redactPaths } from '../../../src/main/services/redact';
import { badFile, type PrognosError } from '../../../src/shared/errors';

describe('what errors may tell a client', () => {
  it('keeps only the last part of absolute paths in internal errors', () => {
    expect(redactPaths("EACCES: permission denied, open '/home/ana/.config/Prognos/uploads/up_1a2b'")).toBe(
      "EACCES: permission denied, open 'up_1a2b'",
    );
    expect(
      redactPaths('ENOENT: no such file, copyfile /srv/store/uploads/up_9 -> /srv/store/bundles/imported-x.zip'),
    ).toBe('ENOENT: no such file, copyfile up_9 -> imported-x.zip');
    expect(redactPaths('C:\\Users\\ana\\AppData\\Prognos\\uploads\\up_3 is locked')).toBe('up_3 is locked');
    expect(redactPaths('served at http://127.0.0.1:4000/api, 3/4 done')).toBe(
      'served at http://127.0.0.1:4000/api, 3/4 done',
    );
    expect(forClient({ code: 'INTERNAL', message: 'open /a/b/c' })).toEqual({ code: 'INTERNAL', message: 'open c' });
    expect(forClient({ code: 'BAD_FILE', message: 'data.txt:3: "x" is not a number' }).message).toBe(
      'data.txt:3: "x" is not a number',
    );
  });

  it('names a stored upload by the file name the user gave it', () => {
    const e = naming(
      badFile([{ file: '/store/uploads/up_1', reason: 'not a readable bundle archive' }]),
      '/store/uploads/up_1',
      'mine.zip',
    ) as PrognosError;
    expect(e.message).toBe('mine.zip: not a readable bundle archive');
    expect(e.details?.issues?.[0]?.file).toBe('mine.zip');
    expect((naming(new Error("open '/store/uploads/up_1'"), '/store/uploads/up_1', 'a.txt') as Error).message).toBe(
      "open 'a.txt'",
    );
  });
});
