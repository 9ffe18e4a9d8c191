/**
 * Confidence-based performance estimation: the estimate is the expectation of the metric when labels
 * follow the probabilities, its band covers the realised value at about the nominal rate, and it is
 * wrong (as it must be) when the probabilities are not calibrated. Labels here are drawn with the
 * project's sfc32 generator (src/main/core/data/prng.ts), never with the estimator's own stream.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/main/core/data/prng';
import {
  estimateChunks,
  estimatePerformance,
  expectedConfusion,
  expectedCountFigures,
  realisedChunks,
  realisedPerformance,
} from '../../../src/main/core/drift/estimate';
import { computeMetrics } from '../../../src/main/core/eval/metrics';
import { PrognosError } from '../../../src/shared/errors';
import { estimatedPerformanceSchema, performanceSchema, type EstimatedPerformance, type PerformanceFigures } from '../../../src/shared/drift';

const KEYS = ['f2', 'precision', 'recall', 'rocAuc'] as const;

/** Probabilities spread over [0, 1] with more mass near 0 (as failure risks are): u^2. */
function probabilities(n: number, seed: number): Float64Array {
  const r = new Rng(seed, 7);
  return Float64Array.from({ length: n }, () => r.float() ** 2);
}

/** y_i ~ Bernoulli(q_i), independently. */
function drawLabels(q: ArrayLike<number>, r: Rng): Uint8Array {
  return Uint8Array.from({ length: q.length }, (_, i) => (r.float() < q[i]! ? 1 : 0));
}

/** A fleet of `units` units of `life` rows each; p rises along each unit's life to a unit-specific level. */
function fleet(units: number, life: number, seed: number): { p: Float64Array; unit: Int32Array } {
  const r = new Rng(seed, 3);
  const p = new Float64Array(units * life);
  const unit = new Int32Array(units * life);
  for (let u = 0; u < units; u++) {
    const top = r.float();
    for (let k = 0; k < life; k++) {
      p[u * life + k] = top * ((k + 1) / life) ** 3;
      unit[u * life + k] = u + 1;
    }
  }
  return { p, unit };
}

/** Labels drawn per unit: one uniform per unit, y_i = [u < q_i] (a unit's labels move together). */
function drawUnitLabels(q: ArrayLike<number>, unit: ArrayLike<number>, r: Rng): Uint8Array {
  const draw = new Map<number, number>();
  return Uint8Array.from({ length: q.length }, (_, i) => {
    let u = draw.get(unit[i]!);
    if (u === undefined) {
      u = r.float();
      draw.set(unit[i]!, u);
    }
    return u < q[i]! ? 1 : 0;
  });
}

/** Mean of each realised metric over `draws` label vectors (undefined draws left out). */
function realisedMean(p: ArrayLike<number>, threshold: number, draws: number, label: (r: Rng) => Uint8Array, seed: number): PerformanceFigures {
  const r = new Rng(seed, 11);
  const sum = { f2: 0, precision: 0, recall: 0, rocAuc: 0 };
  const count = { f2: 0, precision: 0, recall: 0, rocAuc: 0 };
  for (let d = 0; d < draws; d++) {
    const m = realisedPerformance(p, label(r), threshold);
    for (const k of KEYS) {
      const v = m[k];
      if (v !== null) {
        sum[k] += v;
        count[k]++;
      }
    }
  }
  return { f2: sum.f2 / count.f2, precision: sum.precision / count.precision, recall: sum.recall / count.recall, rocAuc: sum.rocAuc / count.rocAuc };
}

function noNaN(e: EstimatedPerformance): void {
  expect(estimatedPerformanceSchema.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
}

describe('estimatePerformance: the expectation of the metric', () => {
  it('matches the mean realised metric over many label vectors drawn from the probabilities', () => {
    const p = probabilities(400, 1);
    const t = 0.35;
    const e = estimatePerformance(p, t, { seed: 5, samples: 4000 });
    const real = realisedMean(p, t, 4000, (r) => drawLabels(p, r), 2);
    console.log('independent rows, n = 400:', KEYS.map((k) => `${k} est ${e[k]!.toFixed(4)} real ${real[k]!.toFixed(4)}`).join('; '));
    // Monte-Carlo error of both sides is < 0.002 here (metric sd < 0.06, 4000 draws each)
    for (const k of ['f2', 'precision', 'recall'] as const) expect(Math.abs(e[k]! - real[k]!)).toBeLessThan(0.006);
    // NannyML's expected-curve ROC-AUC is a ratio of expectations: close, not equal, at n = 400
    expect(Math.abs(e.rocAuc! - real.rocAuc!)).toBeLessThan(0.01);
    noNaN(e);
  });

  it('on small samples the expected metric beats the metric of expected counts (NannyML’s ratio)', () => {
    const p = probabilities(24, 3);
    const t = 0.3;
    const e = estimatePerformance(p, t, { seed: 5, samples: 20000 });
    const ratio = expectedCountFigures(p, t);
    const real = realisedMean(p, t, 20000, (r) => drawLabels(p, r), 4);
    console.log(`n = 24: F2 sampled ${e.f2!.toFixed(4)}, of expected counts ${ratio.f2!.toFixed(4)}, realised mean ${real.f2!.toFixed(4)}; recall ${e.recall!.toFixed(4)} / ${ratio.recall!.toFixed(4)} / ${real.recall!.toFixed(4)}`);
    for (const k of ['f2', 'recall'] as const) {
      expect(Math.abs(e[k]! - real[k]!)).toBeLessThan(0.005);
      expect(Math.abs(ratio[k]! - real[k]!)).toBeGreaterThan(3 * Math.abs(e[k]! - real[k]!));
    }
    // precision's denominator does not depend on the labels: both ways agree exactly
    expect(e.precision).toBeCloseTo(ratio.precision!, 12);
  });

  it('with units, matches the mean realised metric when each unit’s labels move together', () => {
    const { p, unit } = fleet(60, 40, 5);
    const t = 0.2;
    const e = estimatePerformance(p, t, { seed: 9, samples: 4000, units: unit });
    const real = realisedMean(p, t, 4000, (r) => drawUnitLabels(p, unit, r), 6);
    console.log('per unit, 60 units × 40 rows:', KEYS.map((k) => `${k} est ${e[k]!.toFixed(4)} real ${real[k]!.toFixed(4)}`).join('; '));
    for (const k of ['f2', 'precision', 'recall'] as const) expect(Math.abs(e[k]! - real[k]!)).toBeLessThan(0.01);
    expect(Math.abs(e.rocAuc! - real.rocAuc!)).toBeLessThan(0.02);
  });

  it('is right for calibrated probabilities and wrong for mis-calibrated ones', () => {
    const q = probabilities(3000, 7); // the true chance of each row
    const y = drawLabels(q, new Rng(8, 1));
    const t = 0.4;
    const realised = realisedPerformance(q, y, t);
    const calibrated = estimatePerformance(q, t, { seed: 1 });
    // an over-confident model: same ranking (same realised ROC-AUC and predicted positives at the mapped threshold), inflated probabilities
    const inflate = (v: number): number => Math.sqrt(v);
    const over = Float64Array.from(q, inflate);
    const realisedOver = realisedPerformance(over, y, inflate(t));
    const estimatedOver = estimatePerformance(over, inflate(t), { seed: 1 });
    console.log(`calibrated: F2 est ${calibrated.f2!.toFixed(4)} [${calibrated.low.f2!.toFixed(4)}, ${calibrated.high.f2!.toFixed(4)}] real ${realised.f2!.toFixed(4)}; over-confident: F2 est ${estimatedOver.f2!.toFixed(4)} [${estimatedOver.low.f2!.toFixed(4)}, ${estimatedOver.high.f2!.toFixed(4)}] real ${realisedOver.f2!.toFixed(4)}`);
    expect(realisedOver).toEqual(realised); // the same predictions, so the same realised figures
    for (const k of ['f2', 'precision', 'recall'] as const) {
      expect(Math.abs(calibrated[k]! - realised[k]!)).toBeLessThan(0.03);
      expect(realised[k]!).toBeGreaterThanOrEqual(calibrated.low[k]!);
      expect(realised[k]!).toBeLessThanOrEqual(calibrated.high[k]!);
    }
    // inflated probabilities promise more true positives than there are: precision far too high, outside its band
    expect(estimatedOver.precision! - realised.precision!).toBeGreaterThan(0.1);
    expect(realised.precision!).toBeLessThan(estimatedOver.low.precision!);
    expect(Math.abs(estimatedOver.f2! - realised.f2!)).toBeGreaterThan(0.05);
  });
});

describe('estimatePerformance: the band', () => {
  it('contains the realised value at about the nominal rate (independent rows)', () => {
    const p = probabilities(1500, 21);
    const t = 0.3;
    const e = estimatePerformance(p, t, { seed: 3, level: 0.9, samples: 2000 });
    const r = new Rng(22, 5);
    const trials = 1000;
    const inside = { f2: 0, precision: 0, recall: 0, rocAuc: 0 };
    for (let k = 0; k < trials; k++) {
      const m = realisedPerformance(p, drawLabels(p, r), t);
      for (const key of KEYS) if (m[key]! >= e.low[key]! && m[key]! <= e.high[key]!) inside[key]++;
    }
    console.log('coverage at 0.9, independent rows:', KEYS.map((k) => `${k} ${(inside[k] / trials).toFixed(3)}`).join(', '));
    // binomial sd of a 0.9 rate over 1000 trials is 0.0095; the bounds are about ±4 sd
    for (const key of KEYS) {
      expect(inside[key] / trials).toBeGreaterThan(0.86);
      expect(inside[key] / trials).toBeLessThan(0.94);
    }
  });

  it('with units, covers labels that move per unit; sampled as independent rows it is too narrow', () => {
    const { p, unit } = fleet(80, 30, 31);
    const t = 0.25;
    const perUnit = estimatePerformance(p, t, { seed: 3, level: 0.9, units: unit, samples: 2000 });
    const rows = estimatePerformance(p, t, { seed: 3, level: 0.9, samples: 2000 });
    const r = new Rng(32, 5);
    const trials = 1000;
    let inUnit = 0;
    let inRows = 0;
    for (let k = 0; k < trials; k++) {
      const f2 = realisedPerformance(p, drawUnitLabels(p, unit, r), t).f2!;
      if (f2 >= perUnit.low.f2! && f2 <= perUnit.high.f2!) inUnit++;
      if (f2 >= rows.low.f2! && f2 <= rows.high.f2!) inRows++;
    }
    console.log(`F2 coverage at 0.9 of labels drawn per unit: band per unit ${(inUnit / trials).toFixed(3)} [${perUnit.low.f2!.toFixed(3)}, ${perUnit.high.f2!.toFixed(3)}], band of independent rows ${(inRows / trials).toFixed(3)} [${rows.low.f2!.toFixed(3)}, ${rows.high.f2!.toFixed(3)}]`);
    expect(inUnit / trials).toBeGreaterThan(0.86);
    expect(inUnit / trials).toBeLessThan(0.94);
    expect(inRows / trials).toBeLessThan(0.75);
  });

  it('is reproducible with a seed, and the level orders the bands', () => {
    const p = probabilities(500, 41);
    const a = estimatePerformance(p, 0.3, { seed: 12 });
    expect(estimatePerformance(p, 0.3, { seed: 12 })).toEqual(a);
    expect(estimatePerformance(Float32Array.from(p), 0.3, { seed: 12 }).precision).toBeCloseTo(a.precision!, 6);
    const wide = estimatePerformance(p, 0.3, { seed: 12, level: 0.99 });
    const narrow = estimatePerformance(p, 0.3, { seed: 12, level: 0.5 });
    for (const k of KEYS) {
      expect(wide.low[k]!).toBeLessThanOrEqual(a.low[k]!);
      expect(wide.high[k]!).toBeGreaterThanOrEqual(a.high[k]!);
      expect(narrow.low[k]!).toBeGreaterThanOrEqual(a.low[k]!);
      expect(narrow.high[k]!).toBeLessThanOrEqual(a.high[k]!);
      expect(a.low[k]!).toBeLessThanOrEqual(a[k]!);
      expect(a.high[k]!).toBeGreaterThanOrEqual(a[k]!);
    }
    expect(a).toMatchObject({ level: 0.95, rows: 500, threshold: 0.3 });
  });
});

describe('estimatePerformance: edge cases give null, never NaN', () => {
  it('empty input', () => {
    const e = estimatePerformance([], 0.5);
    const none = { f2: null, precision: null, recall: null, rocAuc: null };
    expect(e).toEqual({ ...none, low: none, high: none, level: 0.95, rows: 0, threshold: 0.5 });
    noNaN(e);
    expect(expectedCountFigures([], 0.5)).toEqual(none);
  });

  it('no predicted positives', () => {
    const p = [0.1, 0.2, 0.05, 0.3];
    const e = estimatePerformance(p, 0.9);
    noNaN(e);
    expect(e.precision).toBeNull();
    expect(e.low.precision).toBeNull();
    // positives are expected and none is caught: recall and F2 are 0, as metrics.ts gives them
    expect(e.recall).toBe(0);
    expect(e.f2).toBe(0);
    expect(e.rocAuc).not.toBeNull();
    // no positive possible either: nothing is defined but ROC-AUC's undefinedness
    const zero = estimatePerformance([0, 0, 0], 0.5);
    noNaN(zero);
    expect(zero).toMatchObject({ f2: null, precision: null, recall: null, rocAuc: null, rows: 3 });
  });

  it('all rows certain positives, and all rows predicted positive', () => {
    const ones = estimatePerformance([1, 1, 1, 1], 0.5);
    noNaN(ones);
    expect(ones).toMatchObject({ f2: 1, precision: 1, recall: 1, rocAuc: null, low: { f2: 1, rocAuc: null }, high: { f2: 1, rocAuc: null } });
    const p = [0.2, 0.6, 0.9, 0.4];
    const all = estimatePerformance(p, 0);
    noNaN(all);
    expect(all.recall).toBe(1);
    expect(all.precision).toBeCloseTo((0.2 + 0.6 + 0.9 + 0.4) / 4, 12);
  });

  it('refuses bad input with the row and the reason', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(PrognosError);
        return `${(e as PrognosError).code}: ${(e as PrognosError).message}`;
      }
      return 'no error';
    };
    expect(code(() => estimatePerformance([0.1, Number.NaN], 0.5))).toMatch(/INVALID_INPUT: .*row 1 is NaN/);
    expect(code(() => estimatePerformance([0.1, 1.5], 0.5))).toMatch(/INVALID_INPUT: .*row 1 is 1.5, expected a number in \[0, 1\]/);
    expect(code(() => estimatePerformance([0.1], Number.NaN))).toMatch(/INVALID_INPUT: .*threshold must be finite/);
    expect(code(() => estimatePerformance([0.1], 0.5, { level: 1 }))).toMatch(/INVALID_INPUT: .*level/);
    expect(code(() => estimatePerformance([0.1, 0.2], 0.5, { units: [1] }))).toMatch(/INVALID_INPUT: .*2 probabilities but 1 units/);
    expect(code(() => estimateChunks([0.1, 0.2], [0, 2], 2, 0.5))).toMatch(/INVALID_INPUT: .*chunk index at row 1 is 2/);
    expect(code(() => realisedPerformance([0.1, 0.2], [0, 2], 0.5))).toMatch(/INVALID_INPUT: .*label at row 1 is 2/);
  });
});

describe('realised figures and chunks', () => {
  it('realised figures are the project metric code’s (what `prognos evaluate` prints)', () => {
    const p = probabilities(300, 51);
    const y = drawLabels(p, new Rng(52, 1));
    const m = computeMetrics(p, y, 0.3);
    expect(realisedPerformance(p, y, 0.3)).toEqual({ f2: m.f2, precision: m.precision, recall: m.recall, rocAuc: m.rocAuc });
    expect(performanceSchema.parse(realisedPerformance([], [], 0.3))).toEqual({ f2: null, precision: null, recall: null, rocAuc: null });
  });

  it('expected confusion counts are the sums of the probabilities', () => {
    expect(expectedConfusion([0.9, 0.6, 0.2, 0.1], 0.5)).toEqual({ tp: 1.5, fp: expect.closeTo(0.5, 12) as number, fn: expect.closeTo(0.3, 12) as number, tn: expect.closeTo(1.7, 12) as number });
  });

  it('estimateChunks is each chunk’s own estimate, and costs about one estimate', () => {
    const { p, unit } = fleet(30, 50, 61);
    const chunk = Int32Array.from(p, (_, i) => Math.floor(i / 500)); // 3 chunks of 500 rows, a 4th left empty
    const chunks = estimateChunks(p, chunk, 4, 0.2, { seed: 4, units: unit });
    expect(chunks).toHaveLength(4);
    for (let k = 0; k < 3; k++) {
      const rows = Array.from({ length: 500 }, (_, j) => k * 500 + j);
      expect(chunks[k]).toEqual(estimatePerformance(rows.map((i) => p[i]!), 0.2, { seed: 4 + 7919 * (k + 1), units: rows.map((i) => unit[i]!) }));
      expect(chunks[k]!.rows).toBe(500);
    }
    expect(chunks[3]).toMatchObject({ f2: null, precision: null, recall: null, rocAuc: null, rows: 0 });
    const y = drawUnitLabels(p, unit, new Rng(62, 1));
    const realised = realisedChunks(p, y, chunk, 4, 0.2);
    expect(realised[1]).toEqual(realisedPerformance(p.slice(500, 1000), y.slice(500, 1000), 0.2));
    expect(realised[3]).toEqual({ f2: null, precision: null, recall: null, rocAuc: null });
  });
});
