/**
 * The one ensemble choice, used by training (`optimiseEnsemble` in core/eval/ensemble.ts) and by the
 * Ensemble view's Optimise button (`optimiseBlend` in the renderer): the same grid of GBDT weights
 * w (P = w·P_gbdt + (1 − w)·P_lstm), each with its F-beta-best threshold and its log-loss, the same
 * criterion (`ensemble.criterion` of the training config) and the same tie rule.
 *
 * Criteria: `log-loss` (the default) keeps the weight whose blend has the lowest mean log-loss on the
 * validation rows, a smooth score of every probability; `f2` keeps the weight with the best F2 at its
 * own best threshold, which turns on a handful of rows near the threshold. With the LSTM's networks
 * averaged, log-loss chose better weights on held-out FD001 units (docs/fd001-recipe.md). Either way
 * the threshold is then the F-beta-best one at the chosen weight.
 * Each side brings its own threshold search (`tune`), which follows the same convention: a row is
 * positive when p ≥ t, the threshold is a distinct score, ties go to the higher threshold.
 */

/** the spacing of the weight grid: 0, 0.05, …, 1 (21 weights) */
export const ENSEMBLE_GRID_STEP = 0.05;
/** the weight a tie in F-beta goes to (the nearest one) */
export const DEFAULT_ENSEMBLE_WEIGHT = 0.6;
/** F-beta values closer than this are a tie */
const TIE = 1e-12;

export type EnsembleCriterion = 'log-loss' | 'f2';
export const ENSEMBLE_CRITERIA: readonly EnsembleCriterion[] = ['log-loss', 'f2'];
export const DEFAULT_ENSEMBLE_CRITERION: EnsembleCriterion = 'log-loss';

export interface EnsembleGridPoint {
  readonly weight: number;
  readonly threshold: number;
  readonly fBeta: number;
  /** mean log-loss of the (uncalibrated) blend on the validation rows; absent in runs from before it was recorded */
  readonly logLoss?: number;
}

/** probabilities are clipped to [EPS, 1 − EPS] in the log-loss */
const EPS = 1e-7;

/** Mean binary log-loss of probabilities `p` against 0/1 labels `y`. */
export function meanLogLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return p.length === 0 ? 0 : s / p.length;
}

/** The weights searched, rounded to 1e-6 so they print and compare cleanly. */
export function ensembleWeights(step: number = ENSEMBLE_GRID_STEP): number[] {
  if (!(step > 0 && step <= 1)) throw new RangeError(`ensemble grid step must be in (0, 1], got ${step}`);
  const count = Math.round(1 / step);
  const out: number[] = [];
  for (let k = 0; k <= count; k++) out.push(Math.round(Math.min(1, k * step) * 1e6) / 1e6);
  return out;
}

/**
 * The grid point with the best F-beta (`f2`) or the lowest log-loss (`log-loss`); a tie goes to the
 * weight nearest DEFAULT_ENSEMBLE_WEIGHT (then the lower weight).
 */
export function bestOfGrid<P extends EnsembleGridPoint>(grid: readonly P[], criterion: EnsembleCriterion = 'f2'): P {
  let best = grid[0];
  if (best === undefined) throw new RangeError('the ensemble grid is empty');
  // a higher score is better
  const score = (g: P): number => {
    if (criterion === 'f2') return g.fBeta;
    if (g.logLoss === undefined) throw new RangeError('the ensemble grid has no log-loss to choose by');
    return -g.logLoss;
  };
  for (const g of grid) {
    const better = score(g) > score(best) + TIE;
    const tie = Math.abs(score(g) - score(best)) <= TIE && Math.abs(g.weight - DEFAULT_ENSEMBLE_WEIGHT) < Math.abs(best.weight - DEFAULT_ENSEMBLE_WEIGHT);
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
 * Every weight of the grid with its best threshold (from `tune`, on the blended validation scores)
 * and its log-loss against `labels`, and the best of them by `criterion` and the tie rule.
 */
export function chooseEnsemble(
  gbdt: ArrayLike<number>,
  lstm: ArrayLike<number>,
  labels: ArrayLike<number>,
  tune: (blended: Float64Array) => { threshold: number; fBeta: number },
  opts: { step?: number; criterion?: EnsembleCriterion } = {},
): { best: EnsembleGridPoint; grid: EnsembleGridPoint[] } {
  const grid = ensembleWeights(opts.step ?? ENSEMBLE_GRID_STEP).map((weight) => {
    const p = blendScores(gbdt, lstm, weight);
    return { weight, ...tune(p), logLoss: meanLogLoss(p, labels) };
  });
  return { best: bestOfGrid(grid, opts.criterion ?? DEFAULT_ENSEMBLE_CRITERION), grid };
}
