import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  brierScore,
  computeMetrics,
  confusionAt,
  downsample,
  fBetaOf,
  prCurve,
  rocAuc,
  rocCurve,
  tuneThreshold,
} from '../../../src/main/core/eval/metrics';
import { PrognosError } from '../../../src/shared/errors';

// scikit-learn's documentation example: roc_auc_score = 0.75, average_precision_score = 0.8333…
const y = [0, 0, 1, 1];
const p = [0.1, 0.4, 0.35, 0.8];

describe('threshold metrics', () => {
  it('confusion at a threshold counts p ≥ t as positive', () => {
    expect(confusionAt(p, y, 0.4)).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect(confusionAt(p, y, 0.35)).toEqual({ tp: 2, fp: 1, tn: 1, fn: 0 });
    expect(confusionAt(p, y, 0.81)).toEqual({ tp: 0, fp: 0, tn: 2, fn: 2 });
  });

  it('F-beta by hand', () => {
    // tp 2, fp 1, fn 0: F1 = 4/5, F2 = 10/11
    expect(fBetaOf({ tp: 2, fp: 1, tn: 1, fn: 0 }, 1)).toBeCloseTo(0.8, 12);
    expect(fBetaOf({ tp: 2, fp: 1, tn: 1, fn: 0 }, 2)).toBeCloseTo(10 / 11, 12);
    expect(fBetaOf({ tp: 0, fp: 3, tn: 1, fn: 0 }, 2)).toBe(0);
    expect(fBetaOf({ tp: 0, fp: 0, tn: 4, fn: 0 }, 2)).toBeNull();
  });

  it('computeMetrics returns exactly the METRICS shape', () => {
    const m = computeMetrics(p, y, 0.35);
    expect(Object.keys(m).sort()).toEqual(
      [
        'brier',
        'confusion',
        'f1',
        'f2',
        'n',
        'positives',
        'prAuc',
        'precision',
        'recall',
        'rocAuc',
        'threshold',
      ].sort(),
    );
    expect(m).toMatchObject({
      precision: 2 / 3,
      recall: 1,
      threshold: 0.35,
      n: 4,
      positives: 2,
      confusion: { tp: 2, fp: 1, tn: 1, fn: 0 },
    });
    expect(m.f1).toBeCloseTo(0.8, 12);
    expect(m.f2).toBeCloseTo(10 / 11, 12);
    expect(m.rocAuc).toBeCloseTo(0.75, 12);
    expect(m.prAuc).toBeCloseTo(0.8333333333333333, 12);
    expect(m.brier).toBeCloseTo(0.158125, 12);
  });
});

describe('ranking metrics', () => {
  it('ROC-AUC and average precision match scikit-learn on its documented example', () => {
    expect(rocAuc(p, y)).toBeCloseTo(0.75, 12);
    expect(averagePrecision(p, y)).toBeCloseTo(5 / 6, 12);
  });

  it('ROC-AUC counts a tied positive/negative pair as one half', () => {
    // pairs: (0.5 vs 0.5) ½, (0.5 vs 0.2) 1, (0.9 vs 0.5) 1, (0.9 vs 0.2) 1 → 3.5 / 4
    expect(rocAuc([0.5, 0.5, 0.2, 0.9], [0, 1, 0, 1])).toBeCloseTo(0.875, 12);
    // all scores tied → 0.5
    expect(rocAuc([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
  });

  it('average precision treats tied scores as one step (scikit-learn)', () => {
    // thresholds 0.9 (R ½, P 1), 0.5 (R 1, P ⅔), 0.2 (R 1, P ½) → ½·1 + ½·⅔
    expect(averagePrecision([0.5, 0.5, 0.2, 0.9], [0, 1, 0, 1])).toBeCloseTo(5 / 6, 12);
    // all tied → prevalence
    expect(averagePrecision([0.3, 0.3, 0.3, 0.3], [0, 1, 0, 0])).toBeCloseTo(0.25, 12);
    // ranked labels 1,0,1,0,1 → ⅓·1 + ⅓·⅔ + ⅓·⅗ = 34/45
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 1])).toBeCloseTo(34 / 45, 12);
  });

  it('Brier score', () => {
    expect(brierScore(p, y)).toBeCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, 12);
    expect(brierScore([1, 0], [1, 0])).toBe(0);
    expect(brierScore([], [])).toBeNull();
  });

  it('undefined metrics are null', () => {
    const none = computeMetrics([0.2, 0.7], [0, 0], 0.5);
    expect(none).toMatchObject({ rocAuc: null, prAuc: null, recall: null, f2: 0, f1: 0, precision: 0, positives: 0 });
    const quiet = computeMetrics([0.2, 0.3], [0, 0], 0.5);
    expect(quiet).toMatchObject({ precision: null, recall: null, f2: null, f1: null });
    const allPos = computeMetrics([0.2, 0.7], [1, 1], 0.5);
    expect(allPos.rocAuc).toBeNull();
    expect(allPos.prAuc).toBe(1);
    expect(JSON.parse(JSON.stringify(none))).toEqual(none);
  });

  it('refuses mismatched lengths, non-binary labels and non-finite scores', () => {
    expect(() => computeMetrics([0.1], [0, 1], 0.5)).toThrow(PrognosError);
    expect(() => computeMetrics([0.1, 0.2], [0, 2], 0.5)).toThrow(PrognosError);
    expect(() => rocAuc([NaN, 0.2], [0, 1])).toThrow(PrognosError);
  });
});

describe('curves', () => {
  it('ROC curve as scikit-learn roc_curve (without dropping intermediate points)', () => {
    expect(rocCurve(p, y)).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 0, tpr: 0.5, threshold: 0.8 },
      { fpr: 0.5, tpr: 0.5, threshold: 0.4 },
      { fpr: 0.5, tpr: 1, threshold: 0.35 },
      { fpr: 1, tpr: 1, threshold: 0.1 },
    ]);
  });

  it('PR curve points', () => {
    const c = prCurve(p, y);
    expect(c[0]).toEqual({ recall: 0, precision: 1, threshold: null });
    expect(c.slice(1).map((q) => [q.recall, q.precision, q.threshold])).toEqual([
      [0.5, 1, 0.8],
      [0.5, 0.5, 0.4],
      [1, 2 / 3, 0.35],
      [1, 0.5, 0.1],
    ]);
  });

  it('downsamples to at most 500 points keeping both ends', () => {
    const n = 5000;
    const scores = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
    const labels = scores.map((s, i) => (s + ((i * 31) % 17) / 40 > 0.6 ? 1 : 0));
    const roc = rocCurve(scores, labels);
    expect(roc.length).toBeLessThanOrEqual(500);
    expect(roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(roc[roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    expect(prCurve(scores, labels).length).toBeLessThanOrEqual(500);
    expect(downsample([1, 2, 3], 500)).toEqual([1, 2, 3]);
    expect(
      downsample(
        Array.from({ length: 1000 }, (_, i) => i),
        3,
      ),
    ).toEqual([0, 500, 999]);
  });
});

describe('tuneThreshold', () => {
  it('maximises F2 over the unique scores (F1 picks a different one)', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    const labels = [1, 1, 0, 0, 1];
    // t = 0.8: F1 0.8, F2 0.714; t = 0.5: F1 0.75, F2 0.882
    expect(tuneThreshold(scores, labels)).toBe(0.5);
    expect(tuneThreshold(scores, labels, 1)).toBe(0.8);
    const m = computeMetrics(scores, labels, tuneThreshold(scores, labels));
    expect(m.f2).toBeCloseTo(15 / 17, 12);
  });

  it('agrees with a brute-force search on a larger example', () => {
    const n = 300;
    const scores = Array.from({ length: n }, (_, i) => Math.round((((i * 37) % 101) / 101) * 50) / 50);
    const labels = scores.map((s, i) => (s + ((i * 13) % 7) / 10 > 0.8 ? 1 : 0));
    let best = -1;
    let bestT = NaN;
    for (const t of [...new Set(scores)].sort((a, b) => b - a)) {
      const f = computeMetrics(scores, labels, t).f2 ?? 0;
      if (f > best) {
        best = f;
        bestT = t;
      }
    }
    expect(tuneThreshold(scores, labels)).toBe(bestT);
  });

  it('breaks ties by the higher threshold', () => {
    // t = 0.9: tp 1, fn 1, fp 0 → F1 ⅔; t = 0.3: tp 2, fp 2 → F1 ⅔
    expect(tuneThreshold([0.9, 0.5, 0.4, 0.3], [1, 0, 0, 1], 1)).toBe(0.9);
    expect(tuneThreshold([0.2, 0.5, 0.9], [0, 0, 0])).toBe(0.9);
    expect(() => tuneThreshold([], [])).toThrow(PrognosError);
  });
});
