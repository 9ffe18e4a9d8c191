/** Training's ensemble choice and the Ensemble view's Optimise are one function: same grid, same tie rule, same answer. */
import { describe, expect, it } from 'vitest';
import { blend as mainBlend, optimiseEnsemble } from '../../../src/main/core/eval/ensemble';
import { tuneThreshold } from '../../../src/main/core/eval/metrics';
import { createRng } from '../../../src/main/core/split';
import { bestOfGrid, ensembleWeights, ENSEMBLE_GRID_STEP } from '../../../src/shared/ensemble-choice';
import { applyCalibration } from '../../../src/shared/calibration';
import { optimiseBlend } from '../../../src/renderer/src/lib/ensemble-metrics';
import { bestBlendByCounting } from '../../helpers/f-beta-oracle';

/** Scores of two partly informative models on `n` rows, rounded to 2 decimals so that ties occur. */
function fixture(seed: number, n: number): { g: number[]; l: number[]; y: number[] } {
  const rng = createRng(seed);
  const y = Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
  const score = (label: number, skill: number): number => Math.round(Math.min(1, Math.max(0, skill * label + (1 - skill) * rng() + 0.15 * (rng() - 0.5))) * 100) / 100;
  return { g: y.map((v) => score(v, 0.35)), l: y.map((v) => score(v, 0.3)), y };
}

describe('the shared ensemble choice', () => {
  it('searches 0, 0.05, …, 1', () => {
    expect(ENSEMBLE_GRID_STEP).toBe(0.05);
    const w = ensembleWeights();
    expect(w).toHaveLength(21);
    expect(w[0]).toBe(0);
    expect(w[12]).toBe(0.6);
    expect(w.at(-1)).toBe(1);
    expect(() => ensembleWeights(0)).toThrow(/step/);
  });

  it('breaks a tie toward 0.6, then toward the lower weight', () => {
    const grid = ensembleWeights().map((weight) => ({ weight, threshold: 0.5, fBeta: weight >= 0.3 && weight <= 0.9 ? 0.8 : 0.7 }));
    expect(bestOfGrid(grid).weight).toBe(0.6);
    const off = grid.map((g) => ({ ...g, fBeta: g.weight === 0.55 || g.weight === 0.65 ? 0.9 : 0.5 }));
    expect(bestOfGrid(off).weight).toBe(0.55);
    // a strictly better F-beta wins over nearness to 0.6
    expect(bestOfGrid(grid.map((g) => ({ ...g, fBeta: g.weight === 0 ? 0.81 : g.fBeta }))).weight).toBe(0);
    expect(() => bestOfGrid([])).toThrow(/empty/);
  });

  it.each([1, 2, 3, 4, 5, 6])('by F2: training and the Ensemble view choose the same weight, threshold and grid (seed %i)', (seed) => {
    const { g, l, y } = fixture(seed, 300);
    const trained = optimiseEnsemble(g, l, y, { criterion: 'f2' });
    const viewed = optimiseBlend(g, l, y, undefined, 'f2');
    expect(viewed.best).toEqual({ weight: trained.weight, threshold: trained.threshold, fBeta: trained.fBeta, logLoss: trained.logLoss });
    expect(viewed.grid).toEqual(trained.grid);
    // and both are the exhaustive best over the same weights
    const want = bestBlendByCounting(g, l, y, 20);
    expect(trained.weight).toBeCloseTo(want.weight, 9);
    expect(trained.fBeta).toBeCloseTo(want.f, 12);
  });

  it.each([1, 2, 3, 4, 5, 6])('by log-loss (the default): the same choice in both, the weight with the lowest validation log-loss (seed %i)', (seed) => {
    const { g, l, y } = fixture(seed, 300);
    const trained = optimiseEnsemble(g, l, y);
    const viewed = optimiseBlend(g, l, y);
    expect(viewed.best).toEqual({ weight: trained.weight, threshold: trained.threshold, fBeta: trained.fBeta, logLoss: trained.logLoss });
    expect(viewed.grid).toEqual(trained.grid);
    // by hand: the mean log-loss of every grid blend (probabilities clipped to [1e-7, 1 − 1e-7])
    const loss = (w: number): number =>
      y.reduce((s, v, i) => {
        const p = Math.min(1 - 1e-7, Math.max(1e-7, w * g[i]! + (1 - w) * l[i]!));
        return s - (v === 1 ? Math.log(p) : Math.log(1 - p));
      }, 0) / y.length;
    const byHand = ensembleWeights().map((w) => ({ w, loss: loss(w) }));
    const lowest = byHand.reduce((a, b) => (b.loss < a.loss ? b : a));
    expect(trained.weight).toBe(lowest.w);
    expect(trained.logLoss).toBeCloseTo(lowest.loss, 12);
    // the threshold is the F2-best one at that weight
    expect(trained.threshold).toBe(tuneThreshold(mainBlend(g, l, trained.weight), y, 2));
  });

  it('the log-loss criterion keeps a weight whose blend ranks as well but says better probabilities', () => {
    // the GBDT ranks the rows perfectly but is over-confident (0 or 1); the LSTM ranks them the same way with honest probabilities
    const y = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const g = y.map((v, i) => (v === 1 ? 1 : i % 7 === 0 ? 1 : 0));
    const l = y.map((v, i) => (v === 1 ? 0.7 : i % 7 === 0 ? 0.6 : 0.05));
    const byF2 = optimiseEnsemble(g, l, y, { criterion: 'f2' });
    const byLoss = optimiseEnsemble(g, l, y);
    // every weight ranks the rows alike, so F2 ties everywhere and the tie rule gives 0.6; log-loss punishes the certain wrong 1s
    expect(byF2.weight).toBe(0.6);
    expect(byLoss.weight).toBeLessThan(0.6);
    expect(bestOfGrid(byLoss.grid, 'log-loss').weight).toBe(byLoss.weight);
    expect(() => bestOfGrid([{ weight: 0, threshold: 0.5, fBeta: 0.5 }], 'log-loss')).toThrow(/no log-loss/);
  });

  it('with a calibration, the view keeps training’s weight and tunes its threshold on the calibrated blend', () => {
    const { g, l, y } = fixture(11, 300);
    const platt = { method: 'platt' as const, a: 3.2, b: -1.4 };
    const trained = optimiseEnsemble(g, l, y);
    const viewed = optimiseBlend(g, l, y, platt);
    expect(viewed.best.weight).toBe(trained.weight);
    // what training does after choosing the weight: calibrate the blend, tune the threshold on it
    const calibrated = applyCalibration(platt, mainBlend(g, l, trained.weight));
    expect(viewed.best.threshold).toBe(tuneThreshold(calibrated, y, 2));
    expect(viewed.best.threshold).not.toBe(trained.threshold);
    expect(viewed.grid).toEqual(trained.grid);
  });
});
