import { availableParallelism } from 'node:os';
import { PrognosError } from '../../../../shared/errors';

/**
 * Learning objective, named as in XGBoost: `binary:logistic` (0/1 labels, probabilities) or
 * `reg:squarederror` (real-valued targets, predictions in the target's units).
 */
export type GbdtObjective = 'binary:logistic' | 'reg:squarederror';

export const GBDT_OBJECTIVES: readonly GbdtObjective[] = Object.freeze(['binary:logistic', 'reg:squarederror']);

/** Hyper-parameters of the gradient-boosted tree trainer; names follow XGBoost's where one exists. */
export interface GbdtParams {
  /** Learning objective (default binary:logistic). */
  objective: GbdtObjective;
  /** Boosting rounds (trees). */
  nEstimators: number;
  /** Maximum tree depth (depthwise growth, root at depth 0). */
  maxDepth: number;
  /** Learning rate; stored leaf values already include it, as in XGBoost. */
  eta: number;
  /** Minimum hessian sum in each child of a split. */
  minChildWeight: number;
  /** L2 regularisation on leaf weights. */
  lambda: number;
  /** L1 regularisation on leaf weights. */
  alpha: number;
  /** Minimum loss reduction to keep a split (XGBoost's min_split_loss). */
  gamma: number;
  /** Fraction of rows sampled (Bernoulli) for each tree. */
  subsample: number;
  /** Fraction of features sampled for each tree. */
  colsampleBytree: number;
  /** Maximum number of histogram bins per feature (2..65535). */
  maxBin: number;
  /** Weight of positive rows in the gradients (neg/pos balances the classes; binary:logistic only). */
  scalePosWeight: number;
  /** Stop after this many rounds without a better validation metric (logloss, or RMSE for regression; 0 = off). */
  earlyStoppingRounds: number;
  /** Seed of the row and column sampler. */
  seed: number;
  /** Threads used for histograms and split search (the calling thread counts as one). */
  nThreads: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = Object.freeze({
  objective: 'binary:logistic',
  nEstimators: 185,
  maxDepth: 8,
  eta: 0.1,
  minChildWeight: 1,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  subsample: 0.8,
  colsampleBytree: 0.8,
  maxBin: 256,
  scalePosWeight: 1,
  earlyStoppingRounds: 20,
  seed: 0,
  nThreads: availableParallelism(),
});

/** Merges the caller's values over the defaults and validates every field. */
export function resolveGbdtParams(p: Partial<GbdtParams>): GbdtParams {
  const defined = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Partial<GbdtParams>;
  const r: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...defined };
  const problems: string[] = [];
  const check = (ok: boolean, msg: string): void => {
    if (!ok) problems.push(msg);
  };
  const finite = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);
  check(GBDT_OBJECTIVES.includes(r.objective), `objective must be one of ${GBDT_OBJECTIVES.join(', ')}`);
  check(Number.isInteger(r.nEstimators) && r.nEstimators >= 1, 'nEstimators must be an integer ≥ 1');
  check(Number.isInteger(r.maxDepth) && r.maxDepth >= 1 && r.maxDepth <= 30, 'maxDepth must be an integer in [1, 30]');
  check(finite(r.eta) && r.eta > 0 && r.eta <= 1, 'eta must be in (0, 1]');
  check(finite(r.minChildWeight) && r.minChildWeight >= 0, 'minChildWeight must be ≥ 0');
  check(finite(r.lambda) && r.lambda >= 0, 'lambda must be ≥ 0');
  check(finite(r.alpha) && r.alpha >= 0, 'alpha must be ≥ 0');
  check(finite(r.gamma) && r.gamma >= 0, 'gamma must be ≥ 0');
  check(finite(r.subsample) && r.subsample > 0 && r.subsample <= 1, 'subsample must be in (0, 1]');
  check(
    finite(r.colsampleBytree) && r.colsampleBytree > 0 && r.colsampleBytree <= 1,
    'colsampleBytree must be in (0, 1]',
  );
  check(Number.isInteger(r.maxBin) && r.maxBin >= 2 && r.maxBin <= 65535, 'maxBin must be an integer in [2, 65535]');
  check(finite(r.scalePosWeight) && r.scalePosWeight > 0, 'scalePosWeight must be > 0');
  check(
    Number.isInteger(r.earlyStoppingRounds) && r.earlyStoppingRounds >= 0,
    'earlyStoppingRounds must be an integer ≥ 0',
  );
  check(Number.isInteger(r.seed), 'seed must be an integer');
  check(Number.isInteger(r.nThreads) && r.nThreads >= 1, 'nThreads must be an integer ≥ 1');
  if (problems.length > 0) {
    throw new PrognosError('INVALID_INPUT', `Invalid GBDT parameters: ${problems.join('; ')}.`);
  }
  return r;
}
