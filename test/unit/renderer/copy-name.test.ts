/** The name the duplicate-import dialog proposes for another copy (datasets and bundles alike). */
import { describe, expect, it } from 'vitest';
import { copyName } from '../../../src/renderer/src/lib/copy-name';

describe('copyName', () => {
  it('proposes NAME (2), then the first number nothing has', () => {
    expect(copyName('FD001', new Set(['FD001']))).toBe('FD001 (2)');
    expect(copyName('FD001', new Set(['FD001', 'FD001 (2)', 'FD001 (3)']))).toBe('FD001 (4)');
    expect(copyName('FD001', new Set(['FD001', 'FD001 (3)']))).toBe('FD001 (2)');
  });

  it('numbers a copy of a copy from the original name, never NAME (2) (2)', () => {
    expect(copyName('Weekly bundle (2)', new Set(['Weekly bundle', 'Weekly bundle (2)']))).toBe('Weekly bundle (3)');
    expect(copyName('Release (v2)', new Set(['Release (v2)']))).toBe('Release (v2) (2)');
  });
});
