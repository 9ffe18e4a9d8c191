import { describe, expect, it } from 'vitest';
import { blend, optimiseEnsemble } from '../../../src/main/core/eval/ensemble';
import { computeMetrics } from '../../../src/main/core/eval/metrics';

describe('ensemble', () => {
  it('blends w·P_gbdt + (1 − w)·P_lstm', () => {
    expect(Array.from(blend([1, 0, 0.5], [0, 1, 0.5], 0.6))).toEqual([0.6, 0.4, 0.5].map((v) => expect.closeTo(v, 12) as unknown as number));
    expect(() => blend([1], [1, 2], 0.5)).toThrow(/scores/);
    expect(() => blend([1], [1], 1.5)).toThrow(/weight/);
  });

  it('finds the weight where each model covers the other’s mistakes', () => {
    // the GBDT separates rows 0–3, the LSTM rows 4–7; only a blend separates all
    const y = [1, 1, 0, 0, 1, 1, 0, 0];
    const g = [0.9, 0.8, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45];
    const l = [0.3, 0.35, 0.4, 0.45, 0.9, 0.8, 0.1, 0.2];
    const best = optimiseEnsemble(g, l, y, { step: 0.1 });
    expect(best.grid).toHaveLength(11);
    expect(best.fBeta).toBe(1);
    expect(best.weight).toBeGreaterThan(0.3);
    expect(best.weight).toBeLessThan(0.7);
    // the chosen threshold really gives the reported F2
    expect(computeMetrics(blend(g, l, best.weight), y, best.threshold).f2).toBe(best.fBeta);
    // either model alone is worse
    expect(best.grid[0]!.fBeta).toBeLessThan(1);
    expect(best.grid[10]!.fBeta).toBeLessThan(1);
  });

  it('breaks ties toward the default weight 0.6', () => {
    const y = [1, 0];
    expect(optimiseEnsemble([0.9, 0.1], [0.9, 0.1], y).weight).toBe(0.6);
  });
});
