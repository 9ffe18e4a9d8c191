import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UploadArea, uploadNameProblem } from '../../../src/main/services/uploads';
import { tempDir } from '../../helpers/paths';

describe('upload names', () => {
  it('accepts plain file names', () => {
    for (const name of ['train_FD001.txt', 'fleet 2024.csv', 'RUL_FD001.txt', '..hidden.csv', 'a..b.txt', 'données.csv']) expect(uploadNameProblem(name), name).toBeUndefined();
  });

  it('refuses names with path parts, drives, control characters or nothing at all', () => {
    const cases: [string, RegExp][] = [
      ['../x.txt', /path part/],
      ['a/b.txt', /path part/],
      ['/etc/passwd', /path part/],
      ['..\\..\\x.txt', /path part/],
      ['C:\\x', /path part|drive/],
      ['C:x.txt', /drive/],
      ['x.txt\0.csv', /control character/],
      ['x\n.txt', /control character/],
      ['..', /not a file name/],
      ['.', /not a file name/],
      ['', /empty/],
      ['a'.repeat(256), /longer than 255/],
    ];
    for (const [name, reason] of cases) expect(uploadNameProblem(name), JSON.stringify(name)).toMatch(reason);
  });

  it('the upload area refuses such a name before writing anything', async () => {
    const dir = join(tempDir(), 'uploads');
    const area = new UploadArea(dir);
    for (const name of ['../x.txt', 'a/b.txt', 'C:\\x', 'x\0.txt']) {
      const err = await area.receive(name, Readable.from([Buffer.from('1 1 0.5\n')])).catch((e: unknown) => e);
      expect(err, name).toMatchObject({ code: 'INVALID_INPUT' });
      expect((err as Error).message, name).toMatch(/^name: the upload name ".*" (has a path part|starts with a drive|contains a control character)/);
      expect((err as Error).message).not.toContain('\n');
    }
    expect(existsSync(dir)).toBe(false);
    const id = await area.receive('train.txt', Readable.from([Buffer.from('1 1 0.5\n')]));
    expect(readdirSync(dir)).toEqual([id]);
  });
});
