import { describe, expect, it } from 'vitest';
import { unitSpans } from '../../../src/main/core/data/table';
import {
  fullWindowRows,
  lastCycleRows,
  officialLabels,
  pickRows,
  scoreOfficial,
} from '../../../src/main/core/eval/official';
import { PrognosError } from '../../../src/shared/errors';
import { fixtureTable } from '../features/fixture';
import { loadCmapss } from '../features/load-cmapss';

describe('official scoring rows', () => {
  const t = {
    ...fixtureTable(),
    rulAtEnd: new Map([
      [1, 40],
      [2, 5],
    ]),
  };

  it('last cycle: one row per unit; full window: position within unit ≥ window − 1', () => {
    expect(Array.from(lastCycleRows(t))).toEqual([4, 8]);
    expect(Array.from(fullWindowRows(t, 4))).toEqual([3, 4, 8]);
    expect(Array.from(fullWindowRows(t, 5))).toEqual([4]);
    expect(Array.from(fullWindowRows(t, 1))).toHaveLength(9);
    expect(() => fullWindowRows(t, 0)).toThrow(PrognosError);
  });

  it('labels from the RUL file, refuses a table without one', () => {
    const { rul, label } = officialLabels(t, 30);
    expect(Array.from(rul)).toEqual([44, 43, 42, 41, 40, 8, 7, 6, 5]);
    expect(Array.from(label)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(() => officialLabels(fixtureTable())).toThrow(PrognosError);
  });

  it('scores last-cycle and all-cycle rows', () => {
    const p = Float32Array.from([0, 0, 0, 0.1, 0.2, 0.9, 0.9, 0.9, 0.8]);
    const s = scoreOfficial(t, p, 0.5, { historyWindow: 4 });
    expect(s.lastCycle).toMatchObject({ n: 2, positives: 1, confusion: { tp: 1, fp: 0, tn: 1, fn: 0 }, rocAuc: 1 });
    expect(s.allCycles).toMatchObject({ n: 3, positives: 1, confusion: { tp: 1, fp: 0, tn: 2, fn: 0 } });
    expect(Array.from(pickRows(p, Int32Array.from([8, 0])))).toEqual([Math.fround(0.8), 0]);
  });

  it('FD001 test: 100 last-cycle rows, unit 1 labelled from RUL line 1 (112 > 30)', () => {
    const test = loadCmapss('test_FD001.txt', 'RUL_FD001.txt');
    const last = lastCycleRows(test);
    expect(last).toHaveLength(100);
    const { rul, label } = officialLabels(test);
    expect(rul[last[0]!]).toBe(112);
    expect(label[last[0]!]).toBe(0);
    const spans = unitSpans(test);
    const expected = spans.reduce((a, s) => a + Math.max(0, s.end - s.start - 29), 0);
    const full = fullWindowRows(test, 30);
    expect(full).toHaveLength(expected);
    for (const r of full)
      expect(test.cycle[r]! - test.cycle[spans.find((s) => s.unit === test.unit[r])!.start]!).toBeGreaterThanOrEqual(
        29,
      );
  });
});
