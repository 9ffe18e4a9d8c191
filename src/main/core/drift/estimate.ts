/**
 * Performance without labels: confidence-based performance estimation (CBPE, NannyML's method) for
 * the run's calibrated failure-risk probability, and the realised figures when labels arrive.
 *
 * A calibrated probability p_i is the chance that row i is a positive (fails within the label
 * window). With the rows predicted positive at p ≥ threshold (the project's convention), the expected
 * confusion matrix is E[TP] = Σ p_i and E[FP] = Σ (1 − p_i) over predicted positives, E[FN] = Σ p_i
 * and E[TN] = Σ (1 − p_i) over predicted negatives.
 *
 * What each estimate is (docs/drift.md, "Performance without labels"):
 * - precision: E[TP] / (predicted positives), which is exactly the expected precision (its
 *   denominator does not depend on the labels);
 * - recall and F-beta: the expectation of the metric over label vectors y_i ~ Bernoulli(p_i), by
 *   seeded sampling. NannyML reports the metric of the expected counts instead (a ratio of
 *   expectations, `expectedCountFigures`); the two agree on large samples, but on small chunks the
 *   ratio is biased (recall and F-beta are non-linear in the counts), so the sampled mean is used;
 * - ROC-AUC: NannyML's expected ROC curve (expected TPR and FPR at every distinct probability,
 *   trapezoid area) — a ratio of expected pair counts.
 * - the band at `level`: the (1 − level)/2 and (1 + level)/2 percentiles of each metric over the same
 *   sampled label vectors. It covers the sampling noise of the labels given the probabilities only,
 *   not calibration error: with mis-calibrated probabilities the band is confidently wrong.
 *
 * Rows of one unit are not independent (a unit fails once; its rows' labels move together). With
 * `units`, labels are drawn per unit: one uniform u per unit and y_i = [u < p_i] for each of its
 * rows, so every row keeps its marginal probability p_i while a unit's labels move together (with p
 * rising along a life, the sampled labels switch from negative to positive once, as real ones do).
 * This widens the band to what a fleet of that many units supports; without `units` rows are sampled
 * independently and the band is narrower than the truth when many rows share a unit.
 *
 * A figure that is undefined is null, never NaN, as in src/main/core/eval/metrics.ts: precision with
 * no predicted positives; recall and F-beta when no sampled label vector has a positive (and, for
 * F-beta, no predicted positives); ROC-AUC when the expected positives or negatives are zero.
 */
import type { EstimatedPerformance, PerformanceFigures } from '../../../shared/drift';
import { PrognosError } from '../../../shared/errors';
import { HEADLINE_BETA, computeMetrics } from '../eval/metrics';

export interface EstimateOptions {
  /** F-beta's β (default 2); the result's `f2` holds F-beta at this β */
  readonly beta?: number;
  /** confidence level of the band (default 0.95) */
  readonly level?: number;
  /** seed of the label sampling (default 1): the same inputs and seed give the same figures */
  readonly seed?: number;
  /** label vectors sampled (default 1000; fewer on very large inputs, never fewer than 200) */
  readonly samples?: number;
  /** each row's unit: labels are then drawn per unit (see above) */
  readonly units?: ArrayLike<number>;
}

export const DEFAULT_ESTIMATE_SAMPLES = 1000;
export const MIN_ESTIMATE_SAMPLES = 200;
/** rows × samples drawn at most per estimate (about a second of work); beyond it fewer samples */
export const MAX_ESTIMATE_DRAWS = 200_000_000;

const TWO_32 = 4294967296;

function checkProbabilities(p: ArrayLike<number>, what: string): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!(v >= 0 && v <= 1)) throw new PrognosError('INVALID_INPUT', `${what}: probability at row ${i} is ${v}, expected a number in [0, 1]`);
  }
}

function checkOptions(threshold: number, beta: number, level: number, samples: number, what: string): void {
  if (!Number.isFinite(threshold)) throw new PrognosError('INVALID_INPUT', `${what}: threshold must be finite, got ${threshold}`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new PrognosError('INVALID_INPUT', `${what}: beta must be > 0, got ${beta}`);
  if (!(level > 0 && level < 1)) throw new PrognosError('INVALID_INPUT', `${what}: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(samples) || samples < 1) throw new PrognosError('INVALID_INPUT', `${what}: samples must be a whole number ≥ 1, got ${samples}`);
}

const NULL_FIGURES: PerformanceFigures = { f2: null, precision: null, recall: null, rocAuc: null };

function orNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** F-beta from tp, fn and the predicted-positive count; NaN when undefined. */
function fBeta(tp: number, fn: number, predicted: number, b2: number): number {
  const den = (1 + b2) * tp + b2 * fn + (predicted - tp);
  return den > 0 ? ((1 + b2) * tp) / den : NaN;
}

/** Expected confusion counts at `threshold` (predicted positive when p ≥ threshold). */
export function expectedConfusion(p: ArrayLike<number>, threshold: number): { tp: number; fp: number; fn: number; tn: number } {
  checkProbabilities(p, 'expectedConfusion');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v >= threshold) {
      tp += v;
      fp += 1 - v;
    } else {
      fn += v;
      tn += 1 - v;
    }
  }
  return { tp, fp, fn, tn };
}

/** Ascending copy of the probabilities (native numeric sort). */
function sortedCopy(p: ArrayLike<number>): Float64Array {
  return Float64Array.from(p).sort();
}

/** NannyML's expected ROC-AUC: the area under the expected TPR/FPR curve; NaN without expected positives or negatives. */
function expectedRocAuc(sorted: Float64Array): number {
  let positives = 0;
  for (let i = 0; i < sorted.length; i++) positives += sorted[i]!;
  const negatives = sorted.length - positives;
  if (!(positives > 0) || !(negatives > 0)) return NaN;
  // walk the distinct probabilities from the highest down: all rows at or above predicted positive
  let tp = 0;
  let fp = 0;
  let area = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  for (let k = sorted.length - 1; k >= 0; ) {
    const v = sorted[k]!;
    while (k >= 0 && sorted[k] === v) {
      tp += v;
      fp += 1 - v;
      k--;
    }
    const tpr = tp / positives;
    const fpr = fp / negatives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/** First index in the ascending `sorted` with value ≥ v (or > v when `strict`). */
function lowerBound(sorted: Float64Array, v: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sorted[mid]!;
    if (s < v || (strict && s === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Linear-interpolation percentile (numpy's default) of the ascending finite values. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The defined (non-NaN) values, ascending. */
function definedSorted(values: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) m++;
  const out = new Float64Array(m);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[j++] = values[i]!;
  return out.sort();
}

function mean(values: Float64Array): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Dense 0..G−1 index of each row's unit, and G. */
function unitIndex(units: ArrayLike<number>, n: number): { index: Int32Array; count: number } {
  if (units.length !== n) throw new PrognosError('INVALID_INPUT', `estimatePerformance: ${n} probabilities but ${units.length} units`);
  const ids = new Map<number, number>();
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = units[i]!;
    let g = ids.get(u);
    if (g === undefined) {
      g = ids.size;
      ids.set(u, g);
    }
    index[i] = g;
  }
  return { index, count: ids.size };
}

interface Sampled {
  precision: Float64Array;
  recall: Float64Array;
  fBeta: Float64Array;
  rocAuc: Float64Array;
}

/**
 * Draws `samples` label vectors and the four metrics of each (NaN where undefined). One pass over the
 * rows per vector with a mulberry32 stream compared in 32-bit integers: no per-vector arrays.
 */
function sampleMetrics(p: ArrayLike<number>, threshold: number, b2: number, samples: number, seed: number, units: { index: Int32Array; count: number } | null, sorted: Float64Array): Sampled {
  const n = p.length;
  const cut = new Float64Array(n); // y = 1 when a uniform 32-bit draw < p · 2^32
  const predicted = new Uint8Array(n);
  const rank = new Float64Array(n); // 1-based mid-rank of p among all rows (ties share their mean rank)
  // mid-rank of each run of equal values in the ascending copy, at every position of the run
  const midRank = new Float64Array(n);
  for (let lo = 0; lo < n; ) {
    let hi = lo + 1;
    while (hi < n && sorted[hi] === sorted[lo]) hi++;
    midRank.fill((lo + 1 + hi) / 2, lo, hi);
    lo = hi;
  }
  let nPredicted = 0;
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    cut[i] = v * TWO_32;
    if (v >= threshold) {
      predicted[i] = 1;
      nPredicted++;
    }
    rank[i] = midRank[lowerBound(sorted, v, false)]!;
  }
  const out: Sampled = { precision: new Float64Array(samples), recall: new Float64Array(samples), fBeta: new Float64Array(samples), rocAuc: new Float64Array(samples) };
  const draws = units === null ? null : new Float64Array(units.count);
  let a = (Math.trunc(seed) ^ 0x9e3779b9) | 0;
  for (let s = 0; s < samples; s++) {
    let tp = 0;
    let fn = 0;
    let rankSum = 0;
    if (draws === null || units === null) {
      for (let i = 0; i < n; i++) {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), a | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const y = (t ^ (t >>> 14)) >>> 0 < cut[i]! ? 1 : 0;
        const pr = predicted[i]!;
        tp += y & pr;
        fn += y & (pr ^ 1);
        rankSum += y * rank[i]!;
      }
    } else {
      for (let g = 0; g < draws.length; g++) {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), a | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        draws[g] = (t ^ (t >>> 14)) >>> 0;
      }
      const index = units.index;
      for (let i = 0; i < n; i++) {
        const y = draws[index[i]!]! < cut[i]! ? 1 : 0;
        const pr = predicted[i]!;
        tp += y & pr;
        fn += y & (pr ^ 1);
        rankSum += y * rank[i]!;
      }
    }
    const pos = tp + fn;
    const neg = n - pos;
    out.precision[s] = nPredicted > 0 ? tp / nPredicted : NaN;
    out.recall[s] = pos > 0 ? tp / pos : NaN;
    out.fBeta[s] = fBeta(tp, fn, nPredicted, b2);
    out.rocAuc[s] = pos > 0 && neg > 0 ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
  }
  return out;
}

/**
 * NannyML's CBPE figures: precision, recall and F-beta of the expected confusion counts (ratios of
 * expectations) and the expected-curve ROC-AUC. Kept beside `estimatePerformance` for comparison.
 */
export function expectedCountFigures(p: ArrayLike<number>, threshold: number, beta: number = HEADLINE_BETA): PerformanceFigures {
  checkOptions(threshold, beta, 0.5, 1, 'expectedCountFigures');
  const c = expectedConfusion(p, threshold);
  const predicted = c.tp + c.fp;
  const b2 = beta * beta;
  return {
    f2: orNull(predicted + c.fn > 0 ? ((1 + b2) * c.tp) / ((1 + b2) * c.tp + b2 * c.fn + c.fp) : NaN),
    precision: orNull(predicted > 0 ? c.tp / predicted : NaN),
    recall: orNull(c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : NaN),
    rocAuc: orNull(expectedRocAuc(sortedCopy(p))),
  };
}

/**
 * Estimated precision, recall, F-beta (β = 2 by default, in `f2`) and ROC-AUC of calibrated
 * probabilities at `threshold`, without labels, with a band at `level` (see the file comment).
 */
export function estimatePerformance(p: ArrayLike<number>, threshold: number, opts: EstimateOptions = {}): EstimatedPerformance {
  const beta = opts.beta ?? HEADLINE_BETA;
  const level = opts.level ?? 0.95;
  const requested = opts.samples ?? DEFAULT_ESTIMATE_SAMPLES;
  checkOptions(threshold, beta, level, requested, 'estimatePerformance');
  checkProbabilities(p, 'estimatePerformance');
  const n = p.length;
  const units = opts.units === undefined ? null : unitIndex(opts.units, n);
  if (n === 0) return { ...NULL_FIGURES, low: NULL_FIGURES, high: NULL_FIGURES, level, rows: 0, threshold };
  const samples = Math.max(Math.min(requested, MIN_ESTIMATE_SAMPLES), Math.min(requested, Math.floor(MAX_ESTIMATE_DRAWS / n)));
  const sorted = sortedCopy(p);
  const sampled = sampleMetrics(p, threshold, beta * beta, samples, opts.seed ?? 1, units, sorted);
  const c = expectedConfusion(p, threshold);
  const nPredicted = lowerBoundCount(sorted, threshold);
  const qLow = (1 - level) / 2;
  const qHigh = (1 + level) / 2;
  const band = (values: Float64Array): { low: number; high: number; defined: Float64Array } => {
    const defined = definedSorted(values);
    return { low: percentile(defined, qLow), high: percentile(defined, qHigh), defined };
  };
  const pr = band(sampled.precision);
  const re = band(sampled.recall);
  const fb = band(sampled.fBeta);
  const auc = band(sampled.rocAuc);
  return {
    f2: orNull(mean(fb.defined)),
    precision: orNull(nPredicted > 0 ? c.tp / nPredicted : NaN),
    recall: orNull(mean(re.defined)),
    rocAuc: orNull(expectedRocAuc(sorted)),
    low: { f2: orNull(fb.low), precision: orNull(pr.low), recall: orNull(re.low), rocAuc: orNull(auc.low) },
    high: { f2: orNull(fb.high), precision: orNull(pr.high), recall: orNull(re.high), rocAuc: orNull(auc.high) },
    level,
    rows: n,
    threshold,
  };
}

/** How many of the ascending values are ≥ threshold. */
function lowerBoundCount(sorted: Float64Array, threshold: number): number {
  return sorted.length - lowerBound(sorted, threshold, false);
}

/**
 * The realised figures once labels are known, with the project's metric code, so realised F2 is the
 * number `prognos evaluate` prints for the same rows and threshold.
 */
export function realisedPerformance(p: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): PerformanceFigures {
  const m = computeMetrics(p, labels, threshold);
  return { f2: m.f2, precision: m.precision, recall: m.recall, rocAuc: m.rocAuc };
}

/** Row indices of each chunk (chunkIndex[i] in 0..nChunks−1), by one counting pass. */
function chunkRows(chunkIndex: ArrayLike<number>, nChunks: number, n: number, what: string): Int32Array[] {
  if (!Number.isInteger(nChunks) || nChunks < 0) throw new PrognosError('INVALID_INPUT', `${what}: nChunks must be a whole number ≥ 0, got ${nChunks}`);
  if (chunkIndex.length !== n) throw new PrognosError('INVALID_INPUT', `${what}: ${n} probabilities but ${chunkIndex.length} chunk indices`);
  const counts = new Int32Array(nChunks);
  for (let i = 0; i < n; i++) {
    const k = chunkIndex[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= nChunks) throw new PrognosError('INVALID_INPUT', `${what}: chunk index at row ${i} is ${k}, expected a whole number in 0..${nChunks - 1}`);
    counts[k]!++;
  }
  const rows = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(nChunks);
  for (let i = 0; i < n; i++) {
    const k = chunkIndex[i]!;
    rows[k]![fill[k]!++] = i;
  }
  return rows;
}

function pick(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = values[rows[j]!]!;
  return out;
}

/**
 * `estimatePerformance` per chunk (the engine's chunk series): one entry per chunk 0..nChunks−1, an
 * empty chunk giving nulls. Each chunk draws its own seeded stream (seed + chunk), so a chunk's
 * figures do not depend on the other chunks. The total work is that of one estimate on all rows.
 */
export function estimateChunks(p: ArrayLike<number>, chunkIndex: ArrayLike<number>, nChunks: number, threshold: number, opts: EstimateOptions = {}): EstimatedPerformance[] {
  const rows = chunkRows(chunkIndex, nChunks, p.length, 'estimateChunks');
  if (opts.units !== undefined && opts.units.length !== p.length) throw new PrognosError('INVALID_INPUT', `estimateChunks: ${p.length} probabilities but ${opts.units.length} units`);
  const seed = opts.seed ?? 1;
  return rows.map((r, k) =>
    estimatePerformance(pick(p, r), threshold, { ...opts, seed: seed + 7919 * (k + 1), ...(opts.units === undefined ? {} : { units: pick(opts.units, r) }) }),
  );
}

/** `realisedPerformance` per chunk, one entry per chunk 0..nChunks−1. */
export function realisedChunks(p: ArrayLike<number>, labels: ArrayLike<number>, chunkIndex: ArrayLike<number>, nChunks: number, threshold: number): PerformanceFigures[] {
  if (labels.length !== p.length) throw new PrognosError('INVALID_INPUT', `realisedChunks: ${p.length} probabilities but ${labels.length} labels`);
  return chunkRows(chunkIndex, nChunks, p.length, 'realisedChunks').map((r) => realisedPerformance(pick(p, r), pick(labels, r), threshold));
}
