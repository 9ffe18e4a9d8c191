/**
 * Remaining useful life: the capped training target, the scores (RMSE, MAE, PHM08, interval
 * coverage), the RUL ensemble weight and split-conformal intervals per predicted-RUL bin.
 *
 * Scoring convention: the true RUL is never capped when scoring. A model trained on min(RUL, cap)
 * that predicts `cap` for a unit with 140 cycles left is 15 cycles early, and counted so.
 */
import { PrognosError } from '../../../shared/errors';
import type { RulInterval, RulIntervalBin, RulMetrics } from './types';

/** PHM08 time constants: early predictions (d < 0) are penalised with 13, late ones (d ≥ 0) with 10. */
export const PHM08_EARLY = 13;
export const PHM08_LATE = 10;

/** min(RUL, cap) per row, the piecewise-linear target the RUL models learn. */
export function cappedTarget(rul: ArrayLike<number>, cap: number): Float32Array {
  if (!(cap > 0)) throw new PrognosError('INVALID_INPUT', `rul.cap must be a positive number of cycles, got ${cap}`);
  const out = new Float32Array(rul.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(rul[i]!, cap);
  return out;
}

function sameLength(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new PrognosError('INVALID_INPUT', `${what}: ${a.length} predictions for ${b.length} true values`);
}

/** One PHM08 term for d = predicted − true. */
export function phm08Term(d: number): number {
  return d < 0 ? Math.exp(-d / PHM08_EARLY) - 1 : Math.exp(d / PHM08_LATE) - 1;
}

/** Σ PHM08 terms over the rows (a sum, not a mean: the challenge's score). */
export function phm08Score(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  sameLength('PHM08 score', predicted, truth);
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += phm08Term(predicted[i]! - truth[i]!);
  return s;
}

export interface RulBounds {
  readonly low: ArrayLike<number>;
  readonly high: ArrayLike<number>;
}

/** RMSE, MAE, PHM08 and (with bounds) the fraction of true values inside [low, high]. */
export function rulMetrics(predicted: ArrayLike<number>, truth: ArrayLike<number>, bounds?: RulBounds): RulMetrics {
  sameLength('RUL metrics', predicted, truth);
  const n = predicted.length;
  if (n === 0) throw new PrognosError('INVALID_INPUT', 'RUL metrics need at least one row');
  let se = 0;
  let ae = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i]! - truth[i]!;
    if (!Number.isFinite(d)) throw new PrognosError('INVALID_INPUT', `RUL metrics: row ${i} is not a finite number (predicted ${predicted[i]}, true ${truth[i]})`);
    se += d * d;
    ae += Math.abs(d);
  }
  let coverage: number | null = null;
  if (bounds !== undefined) {
    sameLength('RUL interval (low)', bounds.low, truth);
    sameLength('RUL interval (high)', bounds.high, truth);
    let inside = 0;
    for (let i = 0; i < n; i++) if (truth[i]! >= bounds.low[i]! && truth[i]! <= bounds.high[i]!) inside++;
    coverage = inside / n;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, phm08: phm08Score(predicted, truth), coverage, n };
}

export function rmseOf(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  sameLength('RMSE', predicted, truth);
  let se = 0;
  for (let i = 0; i < predicted.length; i++) se += (predicted[i]! - truth[i]!) ** 2;
  return Math.sqrt(se / predicted.length);
}

/** w·gbdt + (1 − w)·lstm per row. */
export function blendRul(gbdt: ArrayLike<number>, lstm: ArrayLike<number>, weight: number): Float64Array {
  sameLength('RUL ensemble', gbdt, lstm);
  if (!(weight >= 0 && weight <= 1)) throw new PrognosError('INVALID_INPUT', `RUL ensemble weight must be in [0, 1], got ${weight}`);
  const out = new Float64Array(gbdt.length);
  for (let i = 0; i < out.length; i++) out[i] = weight * gbdt[i]! + (1 - weight) * lstm[i]!;
  return out;
}

export interface RulWeightChoice {
  readonly weight: number;
  readonly rmse: number;
  readonly grid: readonly { readonly weight: number; readonly rmse: number }[];
}

/** √(Σ w·(p − t)² / Σ w) */
export function weightedRmseOf(predicted: ArrayLike<number>, truth: ArrayLike<number>, weights: ArrayLike<number>): number {
  sameLength('RMSE', predicted, truth);
  sameLength('RMSE weights', weights, truth);
  let se = 0;
  let total = 0;
  for (let i = 0; i < predicted.length; i++) {
    se += weights[i]! * (predicted[i]! - truth[i]!) ** 2;
    total += weights[i]!;
  }
  if (!(total > 0)) throw new PrognosError('INVALID_INPUT', 'RMSE weights: every weight is zero');
  return Math.sqrt(se / total);
}

/**
 * The GBDT weight on a grid of `step` with the lowest RMSE against `target` (weighted by `weights`
 * when given, e.g. the chance that a unit is cut at the row); ties go to the larger weight.
 */
export function chooseRulWeight(gbdt: ArrayLike<number>, lstm: ArrayLike<number>, target: ArrayLike<number>, step = 0.05, weights?: ArrayLike<number>): RulWeightChoice {
  sameLength('RUL ensemble weight', gbdt, target);
  const count = Math.round(1 / step);
  const grid: { weight: number; rmse: number }[] = [];
  for (let k = 0; k <= count; k++) {
    const weight = Math.round(Math.min(1, k * step) * 1e6) / 1e6;
    const blended = blendRul(gbdt, lstm, weight);
    grid.push({ weight, rmse: weights === undefined ? rmseOf(blended, target) : weightedRmseOf(blended, target, weights) });
  }
  let best = grid[0]!;
  for (const g of grid) if (g.rmse <= best.rmse + 1e-12) best = g;
  return { weight: best.weight, rmse: best.rmse, grid };
}

/** Fewest calibration rows for a two-sided split-conformal interval at `coverage`: (n + 1)·α/2 ≥ 1. */
export function minConformalRows(coverage: number): number {
  return Math.ceil(2 / (1 - coverage) - 1e-9) - 1;
}

export interface ConformalOptions {
  /** at most this many bins (equal counts of calibration rows by predicted RUL) */
  readonly maxBins?: number;
  /** at least this many calibration rows per bin */
  readonly minBinRows?: number;
}

export const DEFAULT_CONFORMAL_BINS = 4;
export const DEFAULT_CONFORMAL_MIN_BIN_ROWS = 100;

/**
 * k-th smallest (1-based) of sorted values, clamped to the ends; the split-conformal quantile with the
 * finite-sample correction takes k = ⌈(n + 1)(1 − α/2)⌉ for the upper and ⌊(n + 1)·α/2⌋ for the lower side.
 */
function kth(sorted: Float64Array, k: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, k)) - 1]!;
}

function binOf(residuals: Float64Array, alpha: number): { low: number; high: number } {
  const sorted = Float64Array.from(residuals).sort();
  const n = sorted.length;
  // 1e-9 absorbs rounding in α = 1 − coverage (1 − 0.9 is 0.0999…98)
  const high = kth(sorted, Math.ceil((n + 1) * (1 - alpha / 2) - 1e-9));
  const low = kth(sorted, Math.floor((n + 1) * (alpha / 2) + 1e-9));
  return { low: Math.min(0, low), high: Math.max(0, high) };
}

/**
 * Split-conformal (Mondrian) intervals: the calibration rows are cut into bins of predicted RUL with
 * equal row counts (at least `minBinRows` each), and in each bin the residuals true − predicted give
 * the lower and upper offsets at α/2 and 1 − α/2 with the finite-sample correction.
 */
export function fitConformal(predicted: ArrayLike<number>, truth: ArrayLike<number>, coverage: number, opts: ConformalOptions = {}): RulInterval {
  sameLength('conformal calibration', predicted, truth);
  if (!(coverage > 0 && coverage < 1)) throw new PrognosError('INVALID_INPUT', `rul.coverage must be in (0, 1), got ${coverage}`);
  const alpha = 1 - coverage;
  const need = Math.max(minConformalRows(coverage), opts.minBinRows ?? DEFAULT_CONFORMAL_MIN_BIN_ROWS);
  const n = predicted.length;
  if (n < minConformalRows(coverage)) {
    throw new PrognosError('INVALID_INPUT', `RUL intervals at ${coverage} coverage need at least ${minConformalRows(coverage)} validation rows; there are ${n}`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => predicted[a]! - predicted[b]!);
  const bins = Math.max(1, Math.min(opts.maxBins ?? DEFAULT_CONFORMAL_BINS, Math.floor(n / need)));
  const out: RulIntervalBin[] = [];
  let start = 0;
  for (let b = 0; b < bins; b++) {
    let end = b === bins - 1 ? n : Math.round(((b + 1) * n) / bins);
    // rows with the same prediction stay in one bin (the bin edge is a prediction value)
    while (end < n && end > start && predicted[order[end]!]! === predicted[order[end - 1]!]!) end++;
    if (end <= start) continue;
    const last = b === bins - 1 || end >= n;
    if (!last && n - end < need) end = n;
    const residuals = Float64Array.from(order.slice(start, end), (i) => truth[i]! - predicted[i]!);
    const edge = end >= n ? null : (predicted[order[end - 1]!]! + predicted[order[end]!]!) / 2;
    out.push({ upTo: edge, ...binOf(residuals, alpha) });
    start = end;
    if (end >= n) break;
  }
  return { method: 'conformal', coverage, bins: out };
}

/** The interval of each prediction: [max(0, rul + low), rul + high] from its bin. */
export function applyInterval(interval: RulInterval, predicted: ArrayLike<number>): { low: Float64Array; high: Float64Array } {
  const low = new Float64Array(predicted.length);
  const high = new Float64Array(predicted.length);
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const bin = interval.bins.find((b) => b.upTo === null || p < b.upTo) ?? interval.bins[interval.bins.length - 1]!;
    low[i] = Math.max(0, p + bin.low);
    high[i] = p + bin.high;
  }
  return { low, high };
}
