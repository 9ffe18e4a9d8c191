/**
 * The one ensemble choice, used by training (`optimiseEnsemble` in core/eval/ensemble.ts) and by the
 * Ensemble view's Optimise button (`optimiseBlend` in the renderer): the same grid of GBDT weights
 * w (P = w·P_gbdt + (1 − w)·P_lstm), each with its F-beta-best threshold, and the same tie rule.
 * Each side brings its own threshold search (`tune`), which follows the same convention: a row is
 * positive when p ≥ t, the threshold is a distinct score, ties go to the higher threshold.
 */

/** the spacing of the weight grid: 0, 0.05, …, 1 (21 weights) */
export const ENSEMBLE_GRID_STEP = 0.05;
/** the weight a tie in F-beta goes to (the nearest one) */
export const DEFAULT_ENSEMBLE_WEIGHT = 0.6;
/** F-beta values closer than this are a tie */
const TIE = 1e-12;

export interface EnsembleGridPoint {
  readonly weight: number;
  readonly threshold: number;
  readonly fBeta: number;
}

/** The weights searched, rounded to 1e-6 so they print and compare cleanly. */
export function ensembleWeights(step: number = ENSEMBLE_GRID_STEP): number[] {
  if (!(step > 0 && step <= 1)) throw new RangeError(`ensemble grid step must be in (0, 1], got ${step}`);
  const count = Math.round(1 / step);
  const out: number[] = [];
  for (let k = 0; k <= count; k++) out.push(Math.round(Math.min(1, k * step) * 1e6) / 1e6);
  return out;
}

/** The grid point with the best F-beta; a tie goes to the weight nearest DEFAULT_ENSEMBLE_WEIGHT (then the lower weight). */
export function bestOfGrid<P extends EnsembleGridPoint>(grid: readonly P[]): P {
  let best = grid[0];
  if (best === undefined) throw new RangeError('the ensemble grid is empty');
  for (const g of grid) {
    const better = g.fBeta > best.fBeta + TIE;
    const tie = Math.abs(g.fBeta - best.fBeta) <= TIE && Math.abs(g.weight - DEFAULT_ENSEMBLE_WEIGHT) < Math.abs(best.weight - DEFAULT_ENSEMBLE_WEIGHT);
    if (better || tie) best = g;
  }
  return best;
}

/** P = w·P_gbdt + (1 − w)·P_lstm over the shorter of the two. */
export function blendScores(gbdt: ArrayLike<number>, lstm: ArrayLike<number>, weight: number): Float64Array {
  const n = Math.min(gbdt.length, lstm.length);
  const out = new Float64Array(n);
  const v = 1 - weight;
  for (let i = 0; i < n; i++) out[i] = weight * gbdt[i]! + v * lstm[i]!;
  return out;
}

/**
 * Every weight of the grid with its best threshold (from `tune`, on the blended validation scores),
 * and the best of them by the tie rule.
 */
export function chooseEnsemble(
  gbdt: ArrayLike<number>,
  lstm: ArrayLike<number>,
  tune: (blended: Float64Array) => { threshold: number; fBeta: number },
  step: number = ENSEMBLE_GRID_STEP,
): { best: EnsembleGridPoint; grid: EnsembleGridPoint[] } {
  const grid = ensembleWeights(step).map((weight) => ({ weight, ...tune(blendScores(gbdt, lstm, weight)) }));
  return { best: bestOfGrid(grid), grid };
}
