/**
 * Calibration against oracles that do not share its code: hand-worked cases, the min–max formula of
 * isotonic regression, the first-order optimality conditions of Platt's likelihood, a known Platt
 * curve recovered from a large sample, and ECE worked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  applyCalibration,
  chooseCalibration,
  fitIsotonic,
  fitPlatt,
  logit,
  logLoss,
  poolAdjacentViolators,
  reliability,
  validateCalibration,
} from '../../../src/main/core/eval/calibration';
import { createRng } from '../../../src/main/core/split';

/** Isotonic regression by its closed form: ŷᵢ = max_{j≤i} min_{k≥i} weighted mean(y_j..y_k). */
function minMaxIsotonic(y: readonly number[], w: readonly number[]): number[] {
  const n = y.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let j = 0; j <= i; j++) {
      let worst = Infinity;
      for (let k = i; k < n; k++) {
        let s = 0;
        let sw = 0;
        for (let m = j; m <= k; m++) {
          s += y[m]! * w[m]!;
          sw += w[m]!;
        }
        worst = Math.min(worst, s / sw);
      }
      best = Math.max(best, worst);
    }
    out.push(best);
  }
  return out;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('pool-adjacent-violators', () => {
  it('pools a hand-worked sequence', () => {
    expect(Array.from(poolAdjacentViolators([1, 3, 2, 4, 3, 5]))).toEqual([1, 2.5, 2.5, 3.5, 3.5, 5]);
    expect(Array.from(poolAdjacentViolators([3, 2, 1]))).toEqual([2, 2, 2]);
    expect(Array.from(poolAdjacentViolators([0, 1, 0, 0]))).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
  });

  it('equals the min–max formula on random weighted sequences', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng() * 12);
      const y = Array.from({ length: n }, () => Math.round(rng() * 10) / 2);
      const w = Array.from({ length: n }, () => 0.5 + Math.floor(rng() * 4));
      const got = poolAdjacentViolators(y, w);
      const want = minMaxIsotonic(y, w);
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(want[i]!, 12);
    }
  });
});

describe('isotonic calibration', () => {
  it('pools equal probabilities first and keeps the ends of each plateau', () => {
    // sorted: 0.1→0, 0.2→1, 0.3→0, 0.3→0, 0.5→1, 0.6→1 ; ties at 0.3 pooled to one point of weight 2
    const c = fitIsotonic([0.6, 0.3, 0.1, 0.2, 0.5, 0.3], [1, 0, 0, 1, 1, 0]);
    // PAV on (0, 1, 0[w2], 1, 1) → (0, 1/3, 1/3, 1, 1)
    expect(c.x).toEqual([0.1, 0.2, 0.3, 0.5, 0.6]);
    expect(c.y[0]).toBe(0);
    expect(c.y[1]).toBeCloseTo(1 / 3, 15);
    expect(c.y[2]).toBeCloseTo(1 / 3, 15);
    expect(c.y.slice(3)).toEqual([1, 1]);
    // interpolation between knots, constant beyond the ends
    const out = applyCalibration(c, [0, 0.1, 0.15, 0.25, 0.4, 0.55, 0.9, 1]);
    const want = [0, 0, 1 / 6, 1 / 3, 2 / 3, 1, 1, 1];
    want.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
  });

  it('fits every training point to its min–max value (random data, ties included)', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + Math.floor(rng() * 10);
      const p = Array.from({ length: n }, () => Math.floor(rng() * 6) / 5);
      const y = p.map((v) => (rng() < v ? 1 : 0));
      const c = fitIsotonic(p, y);
      const distinct = [...new Set(p)].sort((a, b) => a - b);
      const ys = distinct.map((v) => y.filter((_, i) => p[i] === v).reduce<number>((s, t) => s + t, 0));
      const ws = distinct.map((v) => p.filter((q) => q === v).length);
      const want = minMaxIsotonic(
        ys.map((s, i) => s / ws[i]!),
        ws,
      );
      const got = applyCalibration(c, distinct);
      distinct.forEach((_, i) => expect(got[i]).toBeCloseTo(want[i]!, 12));
      expect(() => validateCalibration(c, 'test')).not.toThrow();
    }
  });
});

describe('Platt scaling', () => {
  it('meets the likelihood’s first-order conditions with Platt’s targets', () => {
    const rng = createRng(5);
    const p = Array.from({ length: 400 }, () => rng());
    const y = p.map((v) => (rng() < v * v ? 1 : 0));
    const { a, b } = fitPlatt(p, y);
    const pos = y.reduce<number>((s, v) => s + v, 0);
    const tPos = (pos + 1) / (pos + 2);
    const tNeg = 1 / (p.length - pos + 2);
    let g1 = 0;
    let g2 = 0;
    p.forEach((v, i) => {
      const z = logit(v);
      const r = sigmoid(a * z + b) - (y[i] === 1 ? tPos : tNeg);
      g1 += r * z;
      g2 += r;
    });
    expect(Math.abs(g1)).toBeLessThan(1e-6);
    expect(Math.abs(g2)).toBeLessThan(1e-6);
    // p² is under-confident at the top and over-confident at the bottom as a probability of y: a > 1
    expect(a).toBeGreaterThan(1);
  });

  it('recovers a known curve from a large sample and is the identity on calibrated scores', () => {
    const rng = createRng(9);
    const n = 40_000;
    const p = Array.from({ length: n }, () => sigmoid(4 * (rng() - 0.5) * 2));
    const truth = (v: number): number => sigmoid(2 * logit(v) - 1);
    const y = p.map((v) => (rng() < truth(v) ? 1 : 0));
    const c = fitPlatt(p, y);
    expect(c.a).toBeCloseTo(2, 1);
    expect(c.b).toBeCloseTo(-1, 1);
    const y2 = p.map((v) => (rng() < v ? 1 : 0));
    const id = fitPlatt(p, y2);
    expect(Math.abs(id.a - 1)).toBeLessThan(0.06);
    expect(Math.abs(id.b)).toBeLessThan(0.06);
  });

  it('stays finite on separable data (the smoothed targets)', () => {
    const c = fitPlatt([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1]);
    expect(Number.isFinite(c.a) && Number.isFinite(c.b)).toBe(true);
    const q = applyCalibration(c, [0.1, 0.9]);
    // targets 1/5 and 4/5 bound the fit: it cannot be more confident than they are by much
    expect(q[0]).toBeGreaterThan(0.01);
    expect(q[1]).toBeLessThan(0.99);
  });

  it('refuses probabilities outside [0, 1] and bad labels, naming the row', () => {
    expect(() => fitPlatt([0.2, 1.5], [0, 1])).toThrow(/row 1 is 1.5/);
    expect(() => fitIsotonic([0.2, 0.5], [0, 2])).toThrow(/label at row 1/);
    expect(() => fitPlatt([0.2, Number.NaN], [0, 1])).toThrow(/row 1 is NaN/);
  });
});

describe('expected calibration error and the reliability bins', () => {
  it('matches a hand-worked example (10 equal-width bins weighted by count)', () => {
    // bin 0: p 0.05, 0.05 y 0, 1 → |0.05 − 0.5| = 0.45, weight 2/5
    // bin 9: p 0.95, 1.0, 0.9 → mean 0.95, y 1, 1, 0 → |0.95 − 2/3|, weight 3/5 (1.0 goes in the last bin)
    const r = reliability([0.05, 0.05, 0.95, 1, 0.9], [0, 1, 1, 1, 0]);
    expect(r.ece).toBeCloseTo(0.4 * 0.45 + 0.6 * Math.abs(0.95 - 2 / 3), 12);
    expect(r.bins).toHaveLength(10);
    expect(r.bins[0]).toMatchObject({ lower: 0, upper: 0.1, count: 2, observed: 0.5 });
    expect(r.bins[0]!.meanPredicted).toBeCloseTo(0.05, 15);
    expect(r.bins[9]!.count).toBe(3);
    expect(r.bins[5]).toMatchObject({ count: 0, meanPredicted: null, observed: null });
    expect(reliability([], []).ece).toBeNull();
  });
});

describe('choosing a calibration by cross-validation over units', () => {
  /** units of 40 rows with scores distorted by `warp` from the true probability */
  function fleet(units: number, seed: number, warp: (q: number) => number): { p: number[]; y: number[]; unit: number[] } {
    const rng = createRng(seed);
    const p: number[] = [];
    const y: number[] = [];
    const unit: number[] = [];
    for (let u = 1; u <= units; u++) {
      for (let r = 0; r < 40; r++) {
        const q = sigmoid(6 * (rng() - 0.6));
        p.push(warp(q));
        y.push(rng() < q ? 1 : 0);
        unit.push(u);
      }
    }
    return { p, y, unit };
  }

  it('calibrates over-confident scores and lowers the log-loss on units it never saw', () => {
    const overconfident = (q: number): number => sigmoid(3 * logit(q) + 1);
    const valid = fleet(15, 1, overconfident);
    const test = fleet(15, 2, overconfident);
    const choice = chooseCalibration(valid.p, valid.y, valid.unit, { seed: 4 });
    expect(choice.calibration.method).not.toBe('none');
    expect(choice.folds).toBe(5);
    expect(choice.cv.map((c) => c.method)).toEqual(['none', 'platt', 'isotonic']);
    const before = logLoss(test.p, test.y);
    const after = logLoss(applyCalibration(choice.calibration, test.p), test.y);
    expect(after).toBeLessThan(before * 0.8);
    expect(reliability(applyCalibration(choice.calibration, test.p), test.y).ece!).toBeLessThan(reliability(test.p, test.y).ece!);
  });

  it('gives none without two units to hold out', () => {
    const one = fleet(1, 3, (q) => q);
    expect(chooseCalibration(one.p, one.y, one.unit).calibration).toEqual({ method: 'none' });
  });
});
