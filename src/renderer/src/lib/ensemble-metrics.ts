/**
 * The GBDT + LSTM blend P = w·P_gbdt + (1 − w)·P_lstm on the validation rows, with main's
 * conventions: a row is positive when p ≥ t; the F2-tuned threshold is the unique score with the
 * best F2 (ties to the higher threshold); ROC-AUC is exact, tied scores counting one half.
 */
import { applyCalibration, type CalibrationParams } from '../../../shared/calibration';
import { chooseEnsemble, DEFAULT_ENSEMBLE_CRITERION, DEFAULT_ENSEMBLE_WEIGHT, type EnsembleCriterion } from '../../../shared/ensemble-choice';
import { figuresOf, fBeta, type ThresholdFigures } from './threshold-metrics';

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** Scores sorted once (descending), with the cumulative counts at each distinct score. */
export class RankedScores {
  /** distinct scores, highest first */
  readonly thresholds: Float64Array;
  /** rows with score ≥ thresholds[k] that are positive / negative */
  readonly tps: Int32Array;
  readonly fps: Int32Array;
  readonly positives: number;
  readonly negatives: number;

  constructor(scores: ArrayLike<number>, labels: ArrayLike<number>) {
    const n = Math.min(scores.length, labels.length);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => scores[b]! - scores[a]!);
    const thresholds = new Float64Array(n);
    const tps = new Int32Array(n);
    const fps = new Int32Array(n);
    let k = -1;
    let tp = 0;
    let fp = 0;
    let positives = 0;
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      const s = scores[i]!;
      if (labels[i] === 1) {
        tp++;
        positives++;
      } else fp++;
      const next = r + 1 < n ? scores[order[r + 1]!]! : Number.NaN;
      if (next !== s) {
        k++;
        thresholds[k] = s;
        tps[k] = tp;
        fps[k] = fp;
      }
    }
    this.thresholds = thresholds.subarray(0, k + 1);
    this.tps = tps.subarray(0, k + 1);
    this.fps = fps.subarray(0, k + 1);
    this.positives = positives;
    this.negatives = n - positives;
  }

  get size(): number {
    return this.positives + this.negatives;
  }

  /** Index of the lowest distinct score ≥ t, or −1 when every score is below t. */
  private indexAt(t: number): number {
    let lo = 0;
    let hi = this.thresholds.length;
    // thresholds descend: find the first index whose score is < t
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.thresholds[mid]! >= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  at(threshold: number): ThresholdFigures {
    const k = this.indexAt(threshold);
    const tp = k < 0 ? 0 : this.tps[k]!;
    const fp = k < 0 ? 0 : this.fps[k]!;
    return figuresOf(threshold, { tp, fp, fn: this.positives - tp, tn: this.negatives - fp });
  }

  /** Exact area under the ROC curve (trapezoids over distinct scores: ties count one half). */
  rocAuc(): number | null {
    if (this.positives === 0 || this.negatives === 0) return null;
    let area = 0;
    let prevTp = 0;
    let prevFp = 0;
    for (let k = 0; k < this.thresholds.length; k++) {
      const tp = this.tps[k]!;
      const fp = this.fps[k]!;
      area += ((fp - prevFp) * (tp + prevTp)) / 2;
      prevTp = tp;
      prevFp = fp;
    }
    return area / (this.positives * this.negatives);
  }

  /** The F2-best threshold among the distinct scores (ties go to the higher threshold). */
  bestThreshold(beta = 2): { threshold: number; fBeta: number } {
    let best = this.thresholds[0] ?? 0.5;
    let bestScore = -1;
    for (let k = 0; k < this.thresholds.length; k++) {
      const tp = this.tps[k]!;
      const fp = this.fps[k]!;
      const f = fBeta({ tp, fp, fn: this.positives - tp, tn: this.negatives - fp }, beta) ?? 0;
      if (f > bestScore) {
        bestScore = f;
        best = this.thresholds[k]!;
      }
    }
    return { threshold: best, fBeta: Math.max(0, bestScore) };
  }

  /** ROC points (false positive rate, true positive rate), at most about `max` of them. */
  roc(max = 400): CurvePoint[] {
    if (this.positives === 0 || this.negatives === 0) return [];
    const out: CurvePoint[] = [{ x: 0, y: 0 }];
    const m = this.thresholds.length;
    const stride = Math.max(1, Math.ceil(m / max));
    for (let k = 0; k < m; k += stride)
      out.push({ x: this.fps[k]! / this.negatives, y: this.tps[k]! / this.positives });
    out.push({ x: 1, y: 1 });
    return out;
  }

  /** Precision–recall points (recall, precision), at most about `max` of them. */
  pr(max = 400): CurvePoint[] {
    if (this.positives === 0) return [];
    const out: CurvePoint[] = [];
    const m = this.thresholds.length;
    const stride = Math.max(1, Math.ceil(m / max));
    for (let k = 0; k < m; k += stride) {
      const tp = this.tps[k]!;
      const fp = this.fps[k]!;
      out.push({ x: tp / this.positives, y: tp + fp === 0 ? 1 : tp / (tp + fp) });
    }
    if (m > 0 && (m - 1) % stride !== 0) {
      const tp = this.tps[m - 1]!;
      const fp = this.fps[m - 1]!;
      out.push({ x: tp / this.positives, y: tp / (tp + fp) });
    }
    return out;
  }
}

/** w·gbdt + (1 − w)·lstm, then the run's calibration when given (as main scores the ensemble) */
export function blend(gbdt: readonly number[], lstm: readonly number[], weight: number, calibration?: CalibrationParams): Float64Array {
  const n = Math.min(gbdt.length, lstm.length);
  const out = new Float64Array(n);
  const v = 1 - weight;
  for (let i = 0; i < n; i++) out[i] = weight * gbdt[i]! + v * lstm[i]!;
  return calibration === undefined ? out : applyCalibration(calibration, out);
}

export interface EnsembleFigures extends ThresholdFigures {
  readonly weight: number;
  readonly rocAuc: number | null;
}

export function figuresAt(ranked: RankedScores, weight: number, threshold: number): EnsembleFigures {
  return { ...ranked.at(threshold), weight, rocAuc: ranked.rocAuc() };
}

export interface GridPoint {
  readonly weight: number;
  readonly threshold: number;
  readonly fBeta: number;
  readonly logLoss?: number;
}

export const DEFAULT_WEIGHT = DEFAULT_ENSEMBLE_WEIGHT;

/**
 * The weight training would choose (the shared grid, criterion and tie rule,
 * src/shared/ensemble-choice.ts, on the uncalibrated blends as training searches them), every grid
 * weight with its F2 and log-loss, and for the chosen weight the F2-best threshold on the calibrated
 * blend (the scale the run's threshold is on).
 */
export function optimiseBlend(
  gbdt: readonly number[],
  lstm: readonly number[],
  labels: readonly number[],
  calibration?: CalibrationParams,
  criterion: EnsembleCriterion = DEFAULT_ENSEMBLE_CRITERION,
): { best: GridPoint; grid: GridPoint[] } {
  const { best, grid } = chooseEnsemble(gbdt, lstm, labels, (p) => new RankedScores(p, labels).bestThreshold(2), { criterion });
  if (calibration === undefined || calibration.method === 'none') return { best, grid };
  const calibrated = new RankedScores(blend(gbdt, lstm, best.weight, calibration), labels).bestThreshold(2);
  return { best: { weight: best.weight, threshold: calibrated.threshold, fBeta: calibrated.fBeta, ...(best.logLoss === undefined ? {} : { logLoss: best.logLoss }) }, grid };
}
