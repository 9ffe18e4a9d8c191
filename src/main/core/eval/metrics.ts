/**
 * Binary classification metrics for failure-risk probabilities.
 *
 * Conventions (the same in the UI, CLI, reports and the export bundle):
 * - a row is predicted positive when p ≥ threshold;
 * - F-beta = (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp); F2 is the headline score;
 * - ROC-AUC is exact with ties (Mann–Whitney U with mid-ranks);
 * - PR-AUC is average precision, step-wise as scikit-learn's `average_precision_score`:
 *   Σ over distinct thresholds (descending) of (R_k − R_(k−1)) · P_k;
 * - Brier score = mean (p − y)².
 * A metric that is undefined on the given data is null (JSON cannot carry NaN): precision with no
 * predicted positives; recall, ROC-AUC and PR-AUC with no positives; ROC-AUC with no negatives;
 * F-beta when there are neither positives nor predicted positives; everything but the counts on
 * empty input.
 */
import { PrognosError } from '../../../shared/errors';

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Metrics {
  f2: number | null;
  f1: number | null;
  precision: number | null;
  recall: number | null;
  rocAuc: number | null;
  prAuc: number | null;
  brier: number | null;
  threshold: number;
  n: number;
  positives: number;
  confusion: Confusion;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Scores ≥ threshold are positive; null for the start point (nothing predicted positive). */
  threshold: number | null;
}

export interface PrPoint {
  recall: number;
  precision: number;
  /** null for the start point (recall 0, precision 1), as scikit-learn's curve end point. */
  threshold: number | null;
}

export const HEADLINE_BETA = 2;
export const MAX_CURVE_POINTS = 500;

/** Validates scores and 0/1 labels of equal length; returns labels as a Uint8Array. */
function checkInputs(p: ArrayLike<number>, y: ArrayLike<number>): Uint8Array {
  if (p.length !== y.length) {
    throw new PrognosError('INVALID_INPUT', `metrics: ${p.length} scores but ${y.length} labels`);
  }
  const labels = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v !== 0 && v !== 1)
      throw new PrognosError('INVALID_INPUT', `metrics: label at row ${i} is ${v}, expected 0 or 1`);
    if (!Number.isFinite(p[i]!)) throw new PrognosError('INVALID_INPUT', `metrics: score at row ${i} is ${p[i]}`);
    labels[i] = v;
  }
  return labels;
}

export function confusionAt(p: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Confusion {
  const labels = checkInputs(p, y);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const pos = p[i]! >= threshold;
    if (labels[i] === 1) {
      if (pos) c.tp++;
      else c.fn++;
    } else if (pos) c.fp++;
    else c.tn++;
  }
  return c;
}

export function precisionOf(c: Confusion): number | null {
  return c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null;
}

export function recallOf(c: Confusion): number | null {
  return c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null;
}

export function fBetaOf(c: Confusion, beta: number = HEADLINE_BETA): number | null {
  const b2 = beta * beta;
  const den = (1 + b2) * c.tp + b2 * c.fn + c.fp;
  return den > 0 ? ((1 + b2) * c.tp) / den : null;
}

/** Indices sorted by score, descending (stable for equal scores). */
function orderDescending(p: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(p.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const keys = new Float64Array(p.length);
  for (let i = 0; i < keys.length; i++) keys[i] = p[i]!;
  return order.sort((a, b) => keys[b]! - keys[a]! || a - b);
}

interface Steps {
  /** distinct scores, descending */
  thresholds: Float64Array;
  /** cumulative tp / fp for p ≥ thresholds[k] */
  tps: Float64Array;
  fps: Float64Array;
  positives: number;
  negatives: number;
}

function steps(p: ArrayLike<number>, labels: Uint8Array): Steps {
  const order = orderDescending(p);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i] === 1) tp++;
    else fp++;
    if (k === order.length - 1 || p[order[k + 1]!]! !== p[i]!) {
      thresholds.push(p[i]!);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
    positives: tp,
    negatives: fp,
  };
}

/** ROC-AUC via Mann–Whitney U with mid-ranks for tied scores; null without positives or negatives. */
export function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number | null {
  return rocAucOf(steps(p, checkInputs(p, y)));
}

function rocAucOf(s: Steps): number | null {
  if (s.positives === 0 || s.negatives === 0) return null;
  // Walk tie groups from the lowest score up: each positive beats the negatives below its group and
  // ties half of the negatives inside it.
  let u = 0;
  let negBelow = 0;
  for (let k = s.thresholds.length - 1; k >= 0; k--) {
    const groupTp = s.tps[k]! - (k > 0 ? s.tps[k - 1]! : 0);
    const groupFp = s.fps[k]! - (k > 0 ? s.fps[k - 1]! : 0);
    u += groupTp * (negBelow + groupFp / 2);
    negBelow += groupFp;
  }
  return u / (s.positives * s.negatives);
}

/** Average precision (step-wise, as scikit-learn); null without positives. */
export function averagePrecision(p: ArrayLike<number>, y: ArrayLike<number>): number | null {
  return averagePrecisionOf(steps(p, checkInputs(p, y)));
}

function averagePrecisionOf(s: Steps): number | null {
  if (s.positives === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < s.thresholds.length; k++) {
    const recall = s.tps[k]! / s.positives;
    const precision = s.tps[k]! / (s.tps[k]! + s.fps[k]!);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const labels = checkInputs(p, y);
  if (labels.length === 0) return null;
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (p[i]! - labels[i]!) ** 2;
  return s / labels.length;
}

/** Evenly spaced subset of at most `max` items that keeps the first and the last. */
export function downsample<T>(items: readonly T[], max: number = MAX_CURVE_POINTS): T[] {
  if (items.length <= max) return [...items];
  if (max <= 1) return items.slice(0, Math.max(0, max));
  const out: T[] = [];
  let last = -1;
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (items.length - 1)) / (max - 1));
    if (i !== last) out.push(items[i]!);
    last = i;
  }
  return out;
}

/** ROC curve from (0, 0) through every distinct threshold (descending) to (1, 1), ≤ maxPoints points. */
export function rocCurve(p: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number = MAX_CURVE_POINTS): RocPoint[] {
  const labels = checkInputs(p, y);
  const s = steps(p, labels);
  if (s.positives === 0 || s.negatives === 0) return [];
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  for (let k = 0; k < s.thresholds.length; k++) {
    points.push({ fpr: s.fps[k]! / s.negatives, tpr: s.tps[k]! / s.positives, threshold: s.thresholds[k]! });
  }
  return downsample(points, maxPoints);
}

/** Precision–recall curve from (recall 0, precision 1) through every distinct threshold, ≤ maxPoints points. */
export function prCurve(p: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number = MAX_CURVE_POINTS): PrPoint[] {
  const labels = checkInputs(p, y);
  const s = steps(p, labels);
  if (s.positives === 0) return [];
  const points: PrPoint[] = [{ recall: 0, precision: 1, threshold: null }];
  for (let k = 0; k < s.thresholds.length; k++) {
    points.push({
      recall: s.tps[k]! / s.positives,
      precision: s.tps[k]! / (s.tps[k]! + s.fps[k]!),
      threshold: s.thresholds[k]!,
    });
  }
  return downsample(points, maxPoints);
}

/**
 * The threshold maximising F-beta over the candidate set of unique scores (predict p ≥ t); ties go
 * to the higher threshold. Without positives every candidate scores 0, so the highest score wins.
 */
export function tuneThreshold(p: ArrayLike<number>, y: ArrayLike<number>, beta: number = HEADLINE_BETA): number {
  const labels = checkInputs(p, y);
  if (labels.length === 0) throw new PrognosError('INVALID_INPUT', 'tuneThreshold: no scores');
  if (!(beta > 0) || !Number.isFinite(beta))
    throw new PrognosError('INVALID_INPUT', `tuneThreshold: beta must be > 0, got ${beta}`);
  const s = steps(p, labels);
  let best = s.thresholds[0]!;
  let bestScore = -1;
  for (let k = 0; k < s.thresholds.length; k++) {
    const tp = s.tps[k]!;
    const f = fBetaOf({ tp, fp: s.fps[k]!, fn: s.positives - tp, tn: s.negatives - s.fps[k]! }, beta) ?? 0;
    if (f > bestScore) {
      bestScore = f;
      best = s.thresholds[k]!;
    }
  }
  return best;
}

/** The METRICS document at one threshold. */
export function computeMetrics(p: ArrayLike<number>, y: ArrayLike<number>, threshold: number): Metrics {
  if (!Number.isFinite(threshold))
    throw new PrognosError('INVALID_INPUT', `threshold must be finite, got ${threshold}`);
  const confusion = confusionAt(p, y, threshold);
  const s = steps(p, checkInputs(p, y));
  return {
    f2: fBetaOf(confusion, 2),
    f1: fBetaOf(confusion, 1),
    precision: precisionOf(confusion),
    recall: recallOf(confusion),
    rocAuc: rocAucOf(s),
    prAuc: averagePrecisionOf(s),
    brier: brierScore(p, y),
    threshold,
    n: p.length,
    positives: confusion.tp + confusion.fn,
    confusion,
  };
}
