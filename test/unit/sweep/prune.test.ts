/** The median rule at checkpoints. */
import { describe, expect, it } from 'vitest';
import { bestUpTo, isCheckpoint, median, medianPrune, type CurvePoint } from '../../../src/main/core/sweep/prune';

const curve = (values: number[], from = 0): CurvePoint[] => values.map((value, i) => ({ step: from + i, value }));
const rule = { startupTrials: 3, warmupSteps: 2, interval: 2 };

describe('median rule', () => {
  it('checks only at checkpoints, after the warm-up', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((s) => isCheckpoint(s, rule))).toEqual([false, false, true, false, true, false, true]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(bestUpTo(curve([0.5, 0.4, 0.45, 0.3]), 2)).toBe(0.4);
    expect(bestUpTo(curve([0.5, Number.NaN]), 5)).toBe(0.5);
  });

  it('prunes a trial worse than the median of the finished trials at the same step, not one better', () => {
    const finished = [curve([0.6, 0.5, 0.4, 0.3, 0.2]), curve([0.6, 0.55, 0.5, 0.45, 0.4]), curve([0.7, 0.6, 0.55, 0.5, 0.45])];
    // median of the best-so-far at step 2: 0.4, 0.5, 0.55 → 0.5
    expect(medianPrune(curve([0.7, 0.65, 0.6]), finished, 2, rule)).toMatch(/0.6000 at step 2 is worse than the median 0.5000 of 3/);
    expect(medianPrune(curve([0.6, 0.5, 0.45]), finished, 2, rule)).toBeNull();
    // not at a non-checkpoint step, nor before enough trials finished
    expect(medianPrune(curve([0.9, 0.9, 0.9, 0.9]), finished, 3, rule)).toBeNull();
    expect(medianPrune(curve([0.9, 0.9, 0.9]), finished.slice(0, 2), 2, rule)).toBeNull();
  });

  it('counts a finished curve that stopped early with its best value', () => {
    const finished = [curve([0.6, 0.3]), curve([0.6, 0.35]), curve([0.6, 0.4])];
    expect(medianPrune(curve([0.6, 0.5, 0.45, 0.4, 0.36]), finished, 4, rule)).toMatch(/median 0.3500/);
  });
});
