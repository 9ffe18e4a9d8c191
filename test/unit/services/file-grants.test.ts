import { describe, expect, it } from 'vitest';
import { FileGrants } from '../../../src/main/services/file-grants';
import { PrognosError } from '../../../src/shared/errors';

function refused(f: () => unknown): PrognosError {
  try {
    f();
  } catch (e) {
    if (e instanceof PrognosError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('file grants (files chosen in the open dialog)', () => {
  it('gives the path once, for the handle it issued, and shows only the file name', () => {
    const g = new FileGrants();
    const issued = g.issue('/home/analyst/data/train_FD001.txt');
    expect(issued.fileName).toBe('train_FD001.txt');
    expect(JSON.stringify(issued)).not.toContain('/home/analyst');
    expect(g.consume(issued.grant)).toEqual({
      path: '/home/analyst/data/train_FD001.txt',
      fileName: 'train_FD001.txt',
    });
  });

  it('refuses a reused handle', () => {
    const g = new FileGrants();
    const { grant } = g.issue('/data/a.txt');
    g.consume(grant);
    expect(refused(() => g.consume(grant)).code).toBe('FORBIDDEN');
  });

  it('refuses an unknown or forged handle, including paths and prototype names', () => {
    const g = new FileGrants();
    const real = g.issue('/data/a.txt').grant;
    for (const forged of [
      'gr_' + 'A'.repeat(32),
      real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A'),
      '/etc/passwd',
      '__proto__',
      'constructor',
      '',
    ]) {
      expect(refused(() => g.consume(forged)).code).toBe('FORBIDDEN');
    }
    // the real one still works once after the forgeries
    expect(g.consume(real).path).toBe('/data/a.txt');
  });

  it('refuses an expired handle', () => {
    let now = 1_000;
    const g = new FileGrants(60_000, () => now);
    const { grant } = g.issue('/data/a.txt');
    now += 59_999;
    expect(g.has(grant)).toBe(true);
    now += 1;
    expect(refused(() => g.consume(grant)).code).toBe('FORBIDDEN');
  });

  it('issues unguessable, distinct handles', () => {
    const g = new FileGrants();
    const ids = new Set(Array.from({ length: 50 }, () => g.issue('/data/a.txt').grant));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^gr_[\w-]{32}$/);
  });
});
