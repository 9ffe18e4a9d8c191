/**
 * Remaining useful life and calibrated risk: the shapes shared by the training pipeline, the store,
 * the bundle (manifest + ONNX), the CLI and the views.
 */

/** How a predicted RUL becomes an interval: split-conformal residual quantiles per predicted-RUL bin. */
export interface RulIntervalBin {
  /** upper edge of the bin in predicted RUL (cycles); null = no upper edge (the last bin) */
  readonly upTo: number | null;
  /** interval = [max(0, rul + low), rul + high] with low ≤ 0 ≤ high in cycles */
  readonly low: number;
  readonly high: number;
}

export interface RulInterval {
  readonly method: 'conformal';
  /** nominal coverage, e.g. 0.9 */
  readonly coverage: number;
  /** ascending by upTo; the last has upTo null */
  readonly bins: readonly RulIntervalBin[];
}

/** RUL figures at the last cycle of each unit (or over given rows); coverage null without an interval. */
export interface RulMetrics {
  readonly rmse: number;
  readonly mae: number;
  /** PHM08: Σ exp(−d/13) − 1 for d < 0 (early), exp(d/10) − 1 for d ≥ 0 (late), d = predicted − true */
  readonly phm08: number;
  readonly coverage: number | null;
  readonly n: number;
}

/**
 * Probability calibration of the ensemble (the headline) probability, fitted on the validation units.
 * platt: p' = σ(a·logit(clamp(p, 1e-7, 1 − 1e-7)) + b).
 * isotonic: piecewise-linear interpolation through (x[i], y[i]), x ascending, y non-decreasing,
 * constant beyond the ends.
 */
export type Calibration =
  | { readonly method: 'none' }
  | { readonly method: 'platt'; readonly a: number; readonly b: number }
  | { readonly method: 'isotonic'; readonly x: readonly number[]; readonly y: readonly number[] };
