/**
 * The ensemble an analyst tunes: P = w·P_gbdt + (1 − w)·P_lstm. A grid search over w, by validation
 * log-loss or F-beta (src/shared/ensemble-choice.ts), with the F-beta-optimal threshold for each w,
 * on the validation units only.
 */
import { chooseEnsemble, DEFAULT_ENSEMBLE_CRITERION, DEFAULT_ENSEMBLE_WEIGHT, ENSEMBLE_GRID_STEP, type EnsembleCriterion } from '../../../shared/ensemble-choice';
import { PrognosError } from '../../../shared/errors';
import { fBetaOf, confusionAt, HEADLINE_BETA, tuneThreshold } from './metrics';

export { DEFAULT_ENSEMBLE_WEIGHT };

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
  /** mean validation log-loss of the blend at this weight */
  logLoss?: number;
}

/**
 * Every weight on the shared grid (0, 0.05, …, 1 by default) with its best threshold and log-loss;
 * the lowest log-loss (or, with criterion `f2`, the best F-beta) wins, ties going to the weight
 * nearest the default 0.6 (src/shared/ensemble-choice.ts, the rule the Ensemble view's Optimise uses
 * too).
 */
export function optimiseEnsemble(
  pGbdt: ArrayLike<number>,
  pLstm: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: { step?: number; beta?: number; criterion?: EnsembleCriterion } = {},
): EnsembleChoice & { grid: EnsembleChoice[] } {
  const step = opts.step ?? ENSEMBLE_GRID_STEP;
  const beta = opts.beta ?? HEADLINE_BETA;
  if (!(step > 0 && step <= 1)) throw new PrognosError('INVALID_INPUT', `ensemble grid step must be in (0, 1], got ${step}`);
  blend(pGbdt, pLstm, 1); // the same checks as a blend: equal lengths
  const { best, grid } = chooseEnsemble(
    pGbdt,
    pLstm,
    y,
    (p) => {
      const threshold = tuneThreshold(p, y, beta);
      return { threshold, fBeta: fBetaOf(confusionAt(p, y, threshold), beta) ?? 0 };
    },
    { step, criterion: opts.criterion ?? DEFAULT_ENSEMBLE_CRITERION },
  );
  return { ...best, grid: grid.map((g) => ({ ...g })) };
}
