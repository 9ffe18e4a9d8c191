/**
 * The ensemble an analyst tunes: P = w·P_gbdt + (1 − w)·P_lstm. A grid search over w, with the
 * F-beta-optimal threshold for each w, on the validation units only.
 */
import { PrognosError } from '../../../shared/errors';
import { fBetaOf, confusionAt, HEADLINE_BETA, tuneThreshold } from './metrics';

export const DEFAULT_ENSEMBLE_WEIGHT = 0.6;

export function blend(pGbdt: ArrayLike<number>, pLstm: ArrayLike<number>, weight: number): Float64Array {
  if (pGbdt.length !== pLstm.length) throw new PrognosError('INVALID_INPUT', `ensemble: ${pGbdt.length} GBDT scores but ${pLstm.length} LSTM scores`);
  if (!(weight >= 0 && weight <= 1)) throw new PrognosError('INVALID_INPUT', `ensemble weight must be in [0, 1], got ${weight}`);
  const out = new Float64Array(pGbdt.length);
  for (let i = 0; i < out.length; i++) out[i] = weight * pGbdt[i]! + (1 - weight) * pLstm[i]!;
  return out;
}

export interface EnsembleChoice {
  weight: number;
  threshold: number;
  fBeta: number;
}

/**
 * Every weight on a grid of `step` (0, 0.05, …, 1 by default) with its best threshold; the best
 * F-beta wins, ties going to the weight nearest the default 0.6.
 */
export function optimiseEnsemble(
  pGbdt: ArrayLike<number>,
  pLstm: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { step?: number; beta?: number } = {},
): EnsembleChoice & { grid: EnsembleChoice[] } {
  const step = opts.step ?? 0.05;
  const beta = opts.beta ?? HEADLINE_BETA;
  if (!(step > 0 && step <= 1)) throw new PrognosError('INVALID_INPUT', `ensemble grid step must be in (0, 1], got ${step}`);
  const count = Math.round(1 / step);
  const grid: EnsembleChoice[] = [];
  for (let k = 0; k <= count; k++) {
    const weight = Math.round(Math.min(1, k * step) * 1e6) / 1e6;
    const p = blend(pGbdt, pLstm, weight);
    const threshold = tuneThreshold(p, y, beta);
    grid.push({ weight, threshold, fBeta: fBetaOf(confusionAt(p, y, threshold), beta) ?? 0 });
  }
  let best = grid[0]!;
  for (const g of grid) {
    const better = g.fBeta > best.fBeta + 1e-12;
    const tie = Math.abs(g.fBeta - best.fBeta) <= 1e-12 && Math.abs(g.weight - DEFAULT_ENSEMBLE_WEIGHT) < Math.abs(best.weight - DEFAULT_ENSEMBLE_WEIGHT);
    if (better || tie) best = g;
  }
  return { ...best, grid };
}
