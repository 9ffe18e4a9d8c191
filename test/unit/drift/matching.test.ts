/** Life-stage matching weights: bins, bins the reference lacks, and the survival condition for engines in service. */
import { describe, expect, it } from 'vitest';
import { lifeStages, lifeStageWeights } from '../../../src/main/core/drift/matching';

const sum = (w: ArrayLike<number>, from = 0, to = w.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += w[i]!;
  return s;
};

describe('lifeStageWeights', () => {
  it('gives each reference bin the current rows\' share of that bin', () => {
    // 100 reference rows at stages 0–9 (bin 0), 100 at 10–19 (bin 1); current: 30 in bin 0, 10 in bin 1
    const ref = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? i % 10 : 10 + (i % 10)));
    const cur = Float64Array.from({ length: 40 }, (_, i) => (i < 30 ? 3 : 15));
    const m = lifeStageWeights(ref, cur);
    expect(m.matched).toBe(true);
    expect(m.movedShare).toBe(0);
    expect(m.weights[0]).toBeCloseTo(1.5, 12);
    expect(m.weights[150]).toBeCloseTo(0.5, 12);
    expect(sum(m.weights)).toBeCloseTo(200, 9);
    // Kish: (Σw)² / Σw² = 200² / (100·1.5² + 100·0.5²)
    expect(m.effectiveN).toBeCloseTo(40000 / 250, 9);
  });

  it('counts current rows of a bin the reference lacks (or has too few rows in) toward the nearest bin that has enough', () => {
    const ref = Float64Array.from({ length: 105 }, (_, i) => (i < 100 ? i % 10 : 20)); // bin 0: 100 rows, bin 2: 5 rows
    const cur = Float64Array.from([5, 25, 95]); // bins 0, 2 (too few reference rows), 9 (none)
    const m = lifeStageWeights(ref, cur);
    expect(m.movedShare).toBeCloseTo(2 / 3, 12);
    expect(sum(m.weights, 0, 100)).toBeCloseTo(105, 9);
    expect(sum(m.weights, 100, 105)).toBe(0);
  });

  it('with the survival condition, a row is matched only with reference rows that ran on at least as long', () => {
    const ref = Float64Array.from({ length: 100 }, () => 4); // one bin
    const remaining = Float64Array.from({ length: 100 }, (_, i) => i); // 0..99 cycles left
    const cur = Float64Array.from([4]);
    const m = lifeStageWeights(ref, cur, undefined, {}, { referenceRemaining: remaining, currentSurvives: [50] });
    for (let i = 0; i < 100; i++) expect(m.weights[i]).toBeCloseTo(i >= 50 ? 2 : 0, 12);
    // fewer than minReferenceRows ran long enough: the minReferenceRows that ran longest
    const few = lifeStageWeights(ref, cur, undefined, { minReferenceRows: 20 }, { referenceRemaining: remaining, currentSurvives: [95] });
    for (let i = 0; i < 100; i++) expect(few.weights[i]).toBeCloseTo(i >= 80 ? 5 : 0, 12);
  });

  it('matches a subset of the current rows, and falls back to equal weights when no bin has enough reference rows', () => {
    const ref = Float64Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 11));
    const cur = Float64Array.from([1, 1, 11, 11]);
    const m = lifeStageWeights(ref, cur, Int32Array.from([2, 3]));
    expect(sum(m.weights, 0, 100)).toBe(0);
    expect(sum(m.weights, 100, 200)).toBeCloseTo(200, 9);
    const none = lifeStageWeights(Float64Array.from([1, 2, 3]), cur);
    expect(none.matched).toBe(false);
    expect([...none.weights]).toEqual([1, 1, 1]);
  });

  it('stages are cycles run, or the fraction of life used when lives are known', () => {
    expect([...lifeStages(Int32Array.from([1, 30]))]).toEqual([0, 29]);
    expect([...lifeStages(Int32Array.from([50, 100]), Int32Array.from([200, 100]))]).toEqual([0.25, 1]);
  });
});
