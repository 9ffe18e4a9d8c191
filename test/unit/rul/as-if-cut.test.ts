/**
 * "As if cut" weights: each unit weighs 1 in total, spread evenly over the rows a cut at 30–95 % of
 * its life can reach; the RUL ensemble weight can be chosen on rows so weighted.
 */
import { describe, expect, it } from 'vitest';
import { cutReaches, cutWeights } from '../../../src/main/core/rul/as-if-cut';
import { chooseRulWeight, weightedRmseOf } from '../../../src/main/core/rul/metrics';

/** units of the given lengths, rows in order */
function table(lengths: number[]): { rowCount: number; unit: Int32Array } {
  const unit = Int32Array.from(lengths.flatMap((n, u) => Array.from({ length: n }, () => u + 1)));
  return { rowCount: unit.length, unit };
}

describe('as-if-cut weights', () => {
  it('a cut reaches the rows between 30 % and 95 % of a life', () => {
    // 100 rows: row k is at (k + 0.5) / 100 of the life
    expect(cutReaches(29, 100)).toBe(false);
    expect(cutReaches(30, 100)).toBe(true);
    expect(cutReaches(94, 100)).toBe(true);
    expect(cutReaches(95, 100)).toBe(false);
  });

  it('spreads 1 per unit over its reachable rows, whatever the unit length', () => {
    const t = table([100, 200]);
    const all = Int32Array.from({ length: 300 }, (_, i) => i);
    const w = cutWeights(t, all);
    const sum = (from: number, to: number): number => w.slice(from, to).reduce((a, b) => a + b, 0);
    expect(sum(0, 100)).toBeCloseTo(1, 12);
    expect(sum(100, 300)).toBeCloseTo(1, 12);
    // 65 reachable rows of the first unit (30…94), 130 of the second (60…189)
    expect(w[30]).toBeCloseTo(1 / 65, 12);
    expect(w[29]).toBe(0);
    expect(w[95]).toBe(0);
    expect(w[100 + 60]).toBeCloseTo(1 / 130, 12);
    expect(w[100 + 59]).toBe(0);
  });

  it('weighs only the rows given (e.g. full-window rows), and a unit none of whose given rows a cut reaches spreads 1 over them', () => {
    const t = table([100, 20]);
    // unit 1 from row 50 on; unit 2 only its last row (95 % of 20 rows is row 18.5, so row 19 is out of reach)
    const rows = Int32Array.from([...Array.from({ length: 50 }, (_, i) => 50 + i), 119]);
    const w = cutWeights(t, rows);
    // unit 1's reachable given rows: 50…94 (45 rows)
    expect(w[0]).toBeCloseTo(1 / 45, 12);
    expect(w[45]).toBe(0);
    expect(w[50]).toBe(1);
  });

  it('chooses the RUL ensemble weight on the weighted rows', () => {
    // the GBDT is right on rows 0–1, the LSTM on rows 2–3; weighting the last two rows more moves w to the LSTM
    const truth = [10, 20, 30, 40];
    const g = [10, 20, 40, 50];
    const l = [0, 10, 30, 40];
    expect(chooseRulWeight(g, l, truth).weight).toBe(0.5);
    const w = [1, 1, 3, 3];
    const c = chooseRulWeight(g, l, truth, 0.05, w);
    expect(c.weight).toBe(0.25);
    expect(c.rmse).toBeCloseTo(weightedRmseOf([2.5, 12.5, 32.5, 42.5], truth, w), 12);
    expect(() => weightedRmseOf([1], [1], [0])).toThrow(/every weight is zero/);
  });
});
