import { describe, expect, it } from 'vitest';
import { applyInterval, blendRul, cappedTarget, chooseRulWeight, fitConformal, minConformalRows, phm08Score, phm08Term, rulMetrics } from '../../../src/main/core/rul/metrics';
import { createRng } from '../../../src/main/core/split';

describe('RUL scores', () => {
  it('PHM08: exp(−d/13) − 1 early, exp(d/10) − 1 late, summed', () => {
    // d = −10 (early), 0, +10 (late): (e^(10/13) − 1) + 0 + (e − 1) = 1.158106… + 1.718281…
    expect(phm08Term(-10)).toBeCloseTo(1.1581055, 6);
    expect(phm08Term(0)).toBe(0);
    expect(phm08Term(10)).toBeCloseTo(1.7182818, 6);
    expect(phm08Score([10, 20, 30], [20, 20, 20])).toBeCloseTo(2.8763873, 6);
    // late costs more than early by the same amount
    expect(phm08Term(13)).toBeGreaterThan(phm08Term(-13));
    expect(phm08Term(-13)).toBeCloseTo(Math.E - 1, 12);
  });

  it('RMSE, MAE and coverage by hand', () => {
    const m = rulMetrics([10, 20, 30, 44], [20, 20, 20, 40], { low: [5, 21, 0, 40], high: [25, 30, 19, 50] });
    // errors −10, 0, 10, 4: squares 100 + 0 + 100 + 16 = 216
    expect(m.rmse).toBeCloseTo(Math.sqrt(216 / 4), 12);
    expect(m.mae).toBeCloseTo(24 / 4, 12);
    expect(m.phm08).toBeCloseTo(2.8763873 + (Math.exp(0.4) - 1), 6);
    // inside: 20 ∈ [5, 25] yes, 20 ∈ [21, 30] no, 20 ∈ [0, 19] no, 40 ∈ [40, 50] yes (bounds inclusive)
    expect(m.coverage).toBe(0.5);
    expect(m.n).toBe(4);
    expect(rulMetrics([1], [1]).coverage).toBeNull();
  });

  it('refuses mismatched or non-finite input', () => {
    expect(() => rulMetrics([1, 2], [1])).toThrow(/2 predictions for 1/);
    expect(() => rulMetrics([], [])).toThrow(/at least one/);
    expect(() => rulMetrics([Number.NaN], [1])).toThrow(/row 0/);
  });

  it('caps the target at the knee', () => {
    expect(Array.from(cappedTarget([300, 125, 124, 0], 125))).toEqual([125, 125, 124, 0]);
    expect(() => cappedTarget([1], 0)).toThrow(/rul.cap/);
  });

  it('chooses the RUL weight with the lowest RMSE', () => {
    // truth is exactly 0.25·g + 0.75·l
    const g = [10, 50, 90, 30];
    const l = [30, 10, 50, 70];
    const y = g.map((v, i) => 0.25 * v + 0.75 * l[i]!);
    const c = chooseRulWeight(g, l, y);
    expect(c.weight).toBeCloseTo(0.25, 9);
    expect(c.rmse).toBeCloseTo(0, 9);
    expect(c.grid).toHaveLength(21);
    expect(Array.from(blendRul([10], [30], 0.25))).toEqual([25]);
  });
});

describe('split-conformal RUL intervals', () => {
  it('uses the finite-sample corrected residual quantiles (one bin, by hand)', () => {
    // 39 residuals −19…19 around predictions of 50: α = 0.1, upper k = ⌈40·0.95⌉ = 38 → 18; lower k = ⌊40·0.05⌋ = 2 → −18
    const pred = Array.from({ length: 39 }, () => 50);
    const truth = pred.map((p, i) => p + i - 19);
    const iv = fitConformal(pred, truth, 0.9, { maxBins: 1 });
    expect(iv.method).toBe('conformal');
    expect(iv.bins).toEqual([{ upTo: null, low: -18, high: 18 }]);
    const { low, high } = applyInterval(iv, [50, 10]);
    expect(Array.from(low)).toEqual([32, 0]);
    expect(Array.from(high)).toEqual([68, 28]);
    expect(minConformalRows(0.9)).toBe(19);
    expect(() => fitConformal(pred.slice(0, 18), truth.slice(0, 18), 0.9)).toThrow(/at least 19 validation rows; there are 18/);
  });

  it('bins by predicted RUL and covers near nominal on held-out rows', () => {
    // the noise grows with the predicted RUL: one interval for all would over-cover low and under-cover high
    const rng = createRng(7);
    const draw = (n: number): { p: number[]; t: number[] } => {
      const p = Array.from({ length: n }, () => 125 * rng());
      const t = p.map((v) => v + (2 + 0.2 * v) * (rng() + rng() + rng() - 1.5) * 2);
      return { p, t };
    };
    const cal = draw(4000);
    const iv = fitConformal(cal.p, cal.t, 0.9, { maxBins: 4, minBinRows: 200 });
    expect(iv.bins).toHaveLength(4);
    expect(iv.bins[3]!.upTo).toBeNull();
    for (let b = 1; b < 4; b++) expect(iv.bins[b]!.high).toBeGreaterThan(iv.bins[b - 1]!.high);
    const test = draw(4000);
    const { low, high } = applyInterval(iv, test.p);
    const m = rulMetrics(test.p, test.t, { low, high });
    expect(m.coverage).toBeGreaterThan(0.88);
    expect(m.coverage).toBeLessThan(0.92);
    // per bin too (Mondrian): the low-RUL bin alone is near nominal
    const lowRows = test.p.map((p, i) => [p, i] as const).filter(([p]) => p < iv.bins[0]!.upTo!).map(([, i]) => i);
    const inside = lowRows.filter((i) => test.t[i]! >= low[i]! && test.t[i]! <= high[i]!).length / lowRows.length;
    expect(inside).toBeGreaterThan(0.86);
    expect(inside).toBeLessThan(0.94);
  });

  it('merges bins that would hold too few rows', () => {
    const pred = Array.from({ length: 150 }, (_, i) => i);
    const iv = fitConformal(pred, pred, 0.9, { maxBins: 4, minBinRows: 100 });
    expect(iv.bins).toHaveLength(1);
    expect(iv.bins[0]).toEqual({ upTo: null, low: 0, high: 0 });
  });
});
