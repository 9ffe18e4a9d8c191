import { describe, expect, it } from 'vitest';
import { blend, optimiseEnsemble } from '../../../src/main/core/eval/ensemble';
import { createRng } from '../../../src/main/core/split';
import { bestBlendByCounting, blendByHand, fBetaByCounting } from '../../helpers/f-beta-oracle';

/** Scores of two partly informative models on `n` rows, rounded to 2 decimals so that ties occur. */
function fixture(seed: number, n: number): { g: number[]; l: number[]; y: number[] } {
  const rng = createRng(seed);
  const y = Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
  const score = (label: number, skill: number): number => Math.round(Math.min(1, Math.max(0, skill * label + (1 - skill) * rng() + 0.15 * (rng() - 0.5))) * 100) / 100;
  return { g: y.map((v) => score(v, 0.35)), l: y.map((v) => score(v, 0.3)), y };
}

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
    const best = optimiseEnsemble(g, l, y, { step: 0.1, criterion: 'f2' });
    expect(best.grid).toHaveLength(11);
    expect(best.fBeta).toBe(1);
    expect(best.weight).toBeGreaterThan(0.3);
    expect(best.weight).toBeLessThan(0.7);
    // the chosen weight and threshold give the reported F2, counted by hand
    expect(fBetaByCounting(blendByHand(g, l, best.weight), y, best.threshold)).toBeCloseTo(best.fBeta, 12);
    // either model alone is worse
    expect(best.grid[0]!.fBeta).toBeLessThan(1);
    expect(best.grid[10]!.fBeta).toBeLessThan(1);
  });

  it.each([1, 2, 3, 4, 5])('by F2, agrees with an exhaustive count over weights and thresholds (seed %i)', (seed) => {
    const { g, l, y } = fixture(seed, 400);
    const best = optimiseEnsemble(g, l, y, { criterion: 'f2' });
    const want = bestBlendByCounting(g, l, y, 20);
    expect(best.weight).toBeCloseTo(want.weight, 9);
    expect(best.threshold).toBe(want.threshold);
    expect(best.fBeta).toBeCloseTo(want.f, 12);
    // each grid entry reports the F2 its own weight and threshold give
    for (const e of best.grid) expect(fBetaByCounting(blendByHand(g, l, e.weight), y, e.threshold), `w = ${e.weight}`).toBeCloseTo(e.fBeta, 12);
    // on these fixtures the blend is strictly better than either model alone (not true by construction)
    expect(best.weight).toBeGreaterThan(0);
    expect(best.weight).toBeLessThan(1);
    expect(best.fBeta).toBeGreaterThan(Math.max(best.grid[0]!.fBeta, best.grid[20]!.fBeta));
  });

  it('breaks ties toward the default weight 0.6', () => {
    const y = [1, 0];
    expect(optimiseEnsemble([0.9, 0.1], [0.9, 0.1], y).weight).toBe(0.6);
  });
});
