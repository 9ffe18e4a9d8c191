/** The scoring helpers of scripts/choose-fd001-recipe.ts, checked against the library's metrics and by hand. */
import { describe, expect, it } from 'vitest';
import { computeMetrics, tuneThreshold } from '../../../src/main/core/eval/metrics';
import { createRng } from '../../../src/main/core/split';
import { cutWeight, f2Threshold, fitLogistic, weightedScores } from '../../../scripts/fd001-recipe/compare';

function sample(n: number, seed: number): { p: number[]; y: number[] } {
  const rng = createRng(seed);
  const y = Array.from({ length: n }, () => (rng() < 0.2 ? 1 : 0));
  // scores rounded to two decimals, so ties occur
  const p = y.map((v) => Math.round(Math.min(1, Math.max(0, 0.3 * v + 0.7 * rng())) * 100) / 100);
  return { p, y };
}

describe('FD001 recipe comparison helpers', () => {
  it('with unit weights, F2 and ROC-AUC equal the library’s, and the F2 threshold equals tuneThreshold', () => {
    for (const seed of [1, 2, 3]) {
      const { p, y } = sample(500, seed);
      const t = f2Threshold(p, y);
      expect(t).toBe(tuneThreshold(p, y, 2));
      const ours = weightedScores(p, y, y.map(() => 1), t);
      const lib = computeMetrics(p, y, t);
      expect(ours.f2).toBeCloseTo(lib.f2!, 12);
      expect(ours.auc).toBeCloseTo(lib.rocAuc!, 12);
    }
  });

  it('a weight of 2 counts a row twice and a weight of 0 drops it', () => {
    const { p, y } = sample(300, 4);
    const w = p.map((_, i) => (i % 3 === 0 ? 2 : i % 3 === 1 ? 0 : 1));
    const p2: number[] = [];
    const y2: number[] = [];
    p.forEach((v, i) => {
      for (let k = 0; k < w[i]!; k++) {
        p2.push(v);
        y2.push(y[i]!);
      }
    });
    const t = 0.4;
    const a = weightedScores(p, y, w, t);
    const b = weightedScores(p2, y2, y2.map(() => 1), t);
    expect(a.f2).toBeCloseTo(b.f2, 12);
    expect(a.auc).toBeCloseTo(b.auc, 12);
    expect(f2Threshold(p, y, w)).toBe(f2Threshold(p2, y2));
  });

  it('a row survives a cut at U(0.3, 0.95) of a 100-row life with the chance of the cut falling after it', () => {
    expect(cutWeight(0, 100)).toBe(1);
    expect(cutWeight(29, 100)).toBe(1);
    expect(cutWeight(94, 100)).toBeCloseTo(0.05 / 0.65 / 10, 12);
    expect(cutWeight(95, 100)).toBe(0);
    expect(cutWeight(99, 100)).toBe(0);
    expect(cutWeight(61, 100)).toBeCloseTo((0.95 - 0.615) / 0.65, 12);
  });

  it('the logistic fit recovers known coefficients', () => {
    const rng = createRng(9);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const a = rng() * 4 - 2;
      const b = rng() * 4 - 2;
      x.push([a, b]);
      y.push(rng() < 1 / (1 + Math.exp(-(0.5 + 1.5 * a - 0.8 * b))) ? 1 : 0);
    }
    const beta = fitLogistic(x, y, 0);
    expect(beta[0]).toBeCloseTo(0.5, 1);
    expect(beta[1]).toBeCloseTo(1.5, 1);
    expect(beta[2]).toBeCloseTo(-0.8, 1);
  });
});
