import { describe, expect, it } from 'vitest';
import { compareWithPrevious, MAX_RISEN, type UnitDigest } from '../../../src/main/core/report/previous';

const record = { reportId: 'r1', createdAt: '2026-01-01T00:00:00.000Z', title: 'January' };

describe('what changed since the previous report', () => {
  it('counts, newly and no longer at risk, rises, added and removed units', () => {
    const before: UnitDigest[] = [
      { unit: 1, probability: 0.9, bucket: 'now' },
      { unit: 2, probability: 0.3, bucket: 'soon' },
      { unit: 3, probability: 0.1, bucket: 'later' },
      { unit: 4, probability: 0.8, bucket: 'now' },
    ];
    const after: UnitDigest[] = [
      { unit: 1, probability: 0.95, bucket: 'now' },
      { unit: 2, probability: 0.7, bucket: 'now' },
      { unit: 3, probability: 0.05, bucket: 'later' },
      { unit: 5, probability: 0.6, bucket: 'now' },
    ];
    const d = compareWithPrevious({ record, units: before }, after);
    expect(d.counts).toEqual({ now: 2, soon: 1, later: 1 });
    expect(d.newlyAtRisk).toEqual([2, 5]);
    expect(d.noLongerAtRisk).toEqual([4]);
    expect(d.risen).toEqual([
      { unit: 2, before: 0.3, after: 0.7 },
      { unit: 1, before: 0.9, after: 0.95 },
    ]);
    expect(d.removedUnits).toEqual([4]);
    expect(d.addedUnits).toEqual([5]);
    expect(d.reportId).toBe('r1');
  });
  it('lists at most MAX_RISEN rises, largest first, ties by unit', () => {
    const before = Array.from({ length: 15 }, (_, k): UnitDigest => ({ unit: 15 - k, probability: 0.1, bucket: 'later' }));
    const after = before.map((u): UnitDigest => ({ ...u, probability: u.unit <= 4 ? 0.6 : 0.1 + u.unit / 100 }));
    const d = compareWithPrevious({ record, units: before }, after);
    expect(d.risen).toHaveLength(MAX_RISEN);
    expect(d.risen.slice(0, 5).map((r) => r.unit)).toEqual([1, 2, 3, 4, 15]);
    expect(d.newlyAtRisk).toEqual([]);
  });
});
