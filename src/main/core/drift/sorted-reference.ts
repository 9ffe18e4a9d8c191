/**
 * A reference column sorted once. Life-stage matching re-weights the reference for the whole current
 * data and again for every chunk; each re-weighting only permutes the weights into the sorted order
 * and sums them up (linear in the reference), instead of sorting the reference again.
 */
import type { DriftScores } from '../../../shared/drift';
import { driftScores, sortedSample, WASSERSTEIN_STD_FLOOR, type SortedSample } from './stats';

/** Scores are effect sizes in the report; a degenerate column must never put NaN or ∞ in it. */
function finiteScores(s: DriftScores): DriftScores {
  const f = (x: number, bad: number): number => (Number.isFinite(x) ? x : bad);
  return { psi: f(s.psi, 0), ks: f(s.ks, 0), ksPValue: f(s.ksPValue, 1), wasserstein: f(s.wasserstein, 0), jsd: f(s.jsd, 0), hellinger: f(s.hellinger, 0) };
}

export class SortedReference {
  /** the row of each sorted value (finite values only) */
  readonly order: Int32Array;
  readonly sorted: Float64Array;
  /** the unweighted sample */
  readonly whole: SortedSample;
  constructor(values: ArrayLike<number>) {
    const keep: number[] = [];
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) keep.push(i);
    this.order = Int32Array.from(keep).sort((a, b) => values[a]! - values[b]! || a - b);
    this.sorted = Float64Array.from(this.order, (i) => values[i]!);
    this.whole = sortedSample(this.sorted);
    this.dropped = values.length - keep.length;
  }

  private readonly dropped: number;

  /**
   * The reference under per-row weights (indexed by row; finite, ≥ 0): what `sortedSample(values,
   * weights)` gives, without sorting again.
   */
  sample(weights?: ArrayLike<number>): SortedSample {
    if (weights === undefined) return this.whole;
    const n = this.order.length;
    const values = new Float64Array(n);
    const w = new Float64Array(n);
    let count = 0;
    let total = 0;
    let total2 = 0;
    let wsum = 0;
    for (let k = 0; k < n; k++) {
      const wk = weights[this.order[k]!]!;
      if (!(wk >= 0) || !Number.isFinite(wk)) throw new RangeError(`weight ${String(wk)} at row ${this.order[k]!} (weights must be finite and ≥ 0)`);
      if (wk === 0) continue;
      const v = this.sorted[k]!;
      values[count] = v;
      w[count] = wk;
      total += wk;
      total2 += wk * wk;
      wsum += wk * v;
      count++;
    }
    const cumulative = new Float64Array(count);
    let acc = 0;
    for (let k = 0; k < count; k++) {
      acc += w[k]!;
      cumulative[k] = acc / total;
    }
    if (count > 0) cumulative[count - 1] = 1;
    const mean = count === 0 ? 0 : wsum / total;
    let ss = 0;
    for (let k = 0; k < count; k++) {
      const d = values[k]! - mean;
      ss += w[k]! * d * d;
    }
    return {
      values: values.subarray(0, count),
      cumulative,
      count,
      dropped: this.dropped,
      n: count === 0 ? 0 : (total * total) / total2,
      mean,
      std: count === 0 ? 0 : Math.sqrt(ss / total),
    };
  }

  /**
   * All five scores of `current` against this reference (re-weighted by `weights` when matched). The
   * Wasserstein distance is always divided by the whole reference's standard deviation, so a matched
   * and an unmatched comparison read on one scale (a life stage's own spread can be far narrower).
   */
  scores(current: SortedSample, weights?: ArrayLike<number>): { scores: DriftScores; reference: SortedSample } {
    const reference = this.sample(weights);
    const s = { ...driftScores(reference, current) };
    if (weights !== undefined) s.wasserstein = (s.wasserstein * Math.max(reference.std, WASSERSTEIN_STD_FLOOR)) / Math.max(this.whole.std, WASSERSTEIN_STD_FLOOR);
    return { scores: finiteScores(s), reference };
  }
}
