/**
 * The numeric core of drift: one sort of each side, then every univariate score from merge walks.
 *
 * - `sortedSample` sorts a column once (non-finite values dropped and counted; optional non-negative
 *   weights give a weighted ECDF, weighted mean/std and Kish's effective size for the KS p-value).
 * - `driftScores` gives all five scores of the same pair at once: PSI, KS (D and p-value as
 *   scipy.stats.ks_2samp with method='auto'), Wasserstein-1 / reference std, Jensen–Shannon distance
 *   (base 2) and Hellinger distance on 10 reference-quantile bins.
 * - `driftHistogram` puts both sides on shared equal-width bins for the distribution overlay.
 *
 * Definitions and conventions: docs/drift.md, section "Statistics".
 */
import type { DriftHistogram, DriftScores } from '../../../shared/drift';

/** One column sorted once, shared by every score computed on it. */
export interface SortedSample {
  /** the finite values with a positive weight, ascending */
  readonly values: Float32Array | Float64Array;
  /**
   * with weights: the cumulative weight share up to and including each value (the last is 1), so the
   * ECDF just after `values[i]` is `cumulative[i]`; undefined without weights (it is `(i + 1) / count`)
   */
  readonly cumulative: Float64Array | undefined;
  /** how many values were kept */
  readonly count: number;
  /** how many values were dropped as NaN or ±Infinity (zero-weight rows are not counted here) */
  readonly dropped: number;
  /** the effective sample size for p-values: `count` without weights, else Kish's (Σw)² / Σw² */
  readonly n: number;
  /** the (weighted) mean; 0 for an empty sample */
  readonly mean: number;
  /** the (weighted) population standard deviation (ddof 0); 0 for an empty sample */
  readonly std: number;
}

/** Wasserstein-1 is divided by max(reference std, this), as Evidently does (a constant reference column stays finite). */
export const WASSERSTEIN_STD_FLOOR = 1e-3;
/** PSI replaces an empty bin's share by this (Evidently's convention). */
export const PSI_EPSILON = 1e-4;
/** scipy's ks_2samp 'auto' computes the exact p-value when neither sample is larger than this. */
export const KS_EXACT_MAX_N = 10_000;

// ---------------------------------------------------------------------------------------------
// sorting

/** Sorts finite float32 values with an LSD radix sort on their bit patterns (3 passes of 11/11/10 bits). */
function radixSortFloat32(src: Float32Array, count: number): Float32Array {
  const keys = new Uint32Array(src.buffer, src.byteOffset, count);
  const a = new Uint32Array(count);
  const b = new Uint32Array(count);
  const c0 = new Uint32Array(2048);
  const c1 = new Uint32Array(2048);
  const c2 = new Uint32Array(1024);
  // flip so that unsigned order is float order: negatives invert every bit, positives set the sign bit
  for (let i = 0; i < count; i++) {
    const k = keys[i]!;
    const f = k & 0x80000000 ? ~k >>> 0 : (k | 0x80000000) >>> 0;
    a[i] = f;
    c0[f & 2047]!++;
    c1[(f >>> 11) & 2047]!++;
    c2[f >>> 22]!++;
  }
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < 2048; i++) {
    const t0 = c0[i]!;
    c0[i] = s0;
    s0 += t0;
    const t1 = c1[i]!;
    c1[i] = s1;
    s1 += t1;
  }
  for (let i = 0; i < 1024; i++) {
    const t2 = c2[i]!;
    c2[i] = s2;
    s2 += t2;
  }
  for (let i = 0; i < count; i++) {
    const k = a[i]!;
    b[c0[k & 2047]!++] = k;
  }
  for (let i = 0; i < count; i++) {
    const k = b[i]!;
    a[c1[(k >>> 11) & 2047]!++] = k;
  }
  for (let i = 0; i < count; i++) {
    const k = a[i]!;
    b[c2[k >>> 22]!++] = k;
  }
  for (let i = 0; i < count; i++) {
    const k = b[i]!;
    b[i] = k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  }
  return new Float32Array(b.buffer, 0, count);
}

/**
 * Sorts a column once. Non-finite values are dropped (counted in `dropped`); with `weights` (same
 * length, finite, ≥ 0) rows of weight 0 are left out and the ECDF, mean and std are weighted.
 * Integer weights give exactly what repeating each row that many times gives (`n` aside, which is
 * Kish's effective size).
 */
export function sortedSample(values: ArrayLike<number>, weights?: ArrayLike<number>): SortedSample {
  const len = values.length;
  if (weights !== undefined && weights.length !== len) {
    throw new RangeError(`sortedSample: ${weights.length} weights for ${len} values`);
  }
  if (weights === undefined) {
    const isF32 = values instanceof Float32Array;
    const kept: Float32Array | Float64Array = isF32 ? new Float32Array(len) : new Float64Array(len);
    let count = 0;
    let sum = 0;
    for (let i = 0; i < len; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        kept[count++] = v;
        sum += v;
      }
    }
    const mean = count === 0 ? 0 : sum / count;
    let ss = 0;
    for (let i = 0; i < count; i++) {
      const d = kept[i]! - mean;
      ss += d * d;
    }
    const sorted = kept instanceof Float32Array ? radixSortFloat32(kept, count) : kept.subarray(0, count).sort();
    return {
      values: sorted,
      cumulative: undefined,
      count,
      dropped: len - count,
      n: count,
      mean,
      std: count === 0 ? 0 : Math.sqrt(ss / count),
    };
  }
  const index: number[] = [];
  let dropped = 0;
  for (let i = 0; i < len; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w))
      throw new RangeError(`sortedSample: weight ${String(w)} at row ${i} (weights must be finite and ≥ 0)`);
    const v = values[i]!;
    if (!Number.isFinite(v)) dropped++;
    else if (w > 0) index.push(i);
  }
  index.sort((p, q) => values[p]! - values[q]!);
  const count = index.length;
  const sorted = values instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  const cumulative = new Float64Array(count);
  let total = 0;
  let total2 = 0;
  let wsum = 0;
  for (let k = 0; k < count; k++) {
    const i = index[k]!;
    const w = weights[i]!;
    sorted[k] = values[i]!;
    total += w;
    total2 += w * w;
    wsum += w * values[i]!;
    cumulative[k] = total;
  }
  for (let k = 0; k < count; k++) cumulative[k] = cumulative[k]! / total;
  if (count > 0) cumulative[count - 1] = 1;
  const mean = count === 0 ? 0 : wsum / total;
  let ss = 0;
  for (let k = 0; k < count; k++) {
    const d = sorted[k]! - mean;
    ss += weights[index[k]!]! * d * d;
  }
  return {
    values: sorted,
    cumulative,
    count,
    dropped,
    n: count === 0 ? 0 : (total * total) / total2,
    mean,
    std: count === 0 ? 0 : Math.sqrt(ss / total),
  };
}

/** ECDF of a sorted sample just after its first `i` values (0 ≤ i ≤ count). */
function ecdfAt(s: SortedSample, i: number): number {
  if (i === 0) return 0;
  return s.cumulative === undefined ? i / s.count : s.cumulative[i - 1]!;
}

/** The inverted-CDF quantile (numpy's method='inverted_cdf'; weighted: the smallest value whose ECDF ≥ p). */
export function quantile(s: SortedSample, p: number): number {
  if (s.count === 0) return Number.NaN;
  const v = s.values;
  if (s.cumulative === undefined) {
    // smallest i with (i + 1) / count ≥ p, with numpy's tie handling: ceil(count·p) − 1
    const k = Math.min(s.count - 1, Math.max(0, Math.ceil(s.count * p - 1e-12 * s.count) - 1));
    return v[k]!;
  }
  const c = s.cumulative;
  let lo = 0;
  let hi = s.count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c[mid]! >= p - 1e-12) hi = mid;
    else lo = mid + 1;
  }
  return v[lo]!;
}

// ---------------------------------------------------------------------------------------------
// merge walks

/** Two-sample KS statistic D = sup |F_ref − F_cur| (ties handled as scipy's searchsorted 'right'). */
export function ksStatistic(ref: SortedSample, cur: SortedSample): number {
  return walk(ref, cur, false).d;
}

/** Wasserstein-1 distance (the area between the two ECDFs), on the values' own scale. */
export function wasserstein1(ref: SortedSample, cur: SortedSample): number {
  return walk(ref, cur, true).w;
}

/**
 * One merge walk over both sorted samples: KS D and (with `area`) the Wasserstein-1 area. Between two
 * consecutive reference values the reference ECDF is constant, so the current side is walked in a
 * tight loop there.
 */
function walk(ref: SortedSample, cur: SortedSample, area: boolean): { d: number; w: number } {
  const r = ref.values;
  const c = cur.values;
  const nr = ref.count;
  const nc = cur.count;
  if (nr === 0 || nc === 0) return { d: 0, w: 0 };
  const rc = ref.cumulative;
  const cc = cur.cumulative;
  const invR = 1 / nr;
  const invC = 1 / nc;
  let i = 0;
  let j = 0;
  let fr = 0;
  let fc = 0;
  let d = 0;
  let w = 0;
  let prev = Math.min(r[0]!, c[0]!);
  while (i < nr) {
    const rv = r[i]!;
    // current values strictly below the next reference value: the reference ECDF stays at fr
    while (j < nc && c[j]! < rv) {
      const cv = c[j]!;
      if (area) w += (cv - prev) * Math.abs(fr - fc);
      j++;
      while (j < nc && c[j] === cv) j++;
      fc = cc === undefined ? j * invC : cc[j - 1]!;
      const diff = Math.abs(fr - fc);
      if (diff > d) d = diff;
      prev = cv;
    }
    // the reference value itself (with the current values equal to it)
    if (area) w += (rv - prev) * Math.abs(fr - fc);
    i++;
    while (i < nr && r[i] === rv) i++;
    fr = rc === undefined ? i * invR : rc[i - 1]!;
    while (j < nc && c[j] === rv) j++;
    fc = j === 0 ? 0 : cc === undefined ? j * invC : cc[j - 1]!;
    const diff = Math.abs(fr - fc);
    if (diff > d) d = diff;
    prev = rv;
  }
  // fr = 1 from here on; the rest of the current side
  while (j < nc) {
    const cv = c[j]!;
    if (area) w += (cv - prev) * Math.abs(1 - fc);
    j++;
    while (j < nc && c[j] === cv) j++;
    fc = cc === undefined ? j * invC : cc[j - 1]!;
    const diff = Math.abs(1 - fc);
    if (diff > d) d = diff;
    prev = cv;
  }
  return { d, w };
}

/** The 9 inner edges of 10 reference-quantile bins (quantiles 0.1 … 0.9). Bins are right-closed: (e[k−1], e[k]]. */
export function referenceQuantileEdges(ref: SortedSample, bins = 10): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) edges.push(quantile(ref, k / bins));
  return edges;
}

/** Shares of a sorted sample in the right-closed bins (−∞, e0], (e0, e1], …, (e_last, ∞): one walk over the edges. */
export function binShares(s: SortedSample, edges: readonly number[]): Float64Array {
  const shares = new Float64Array(edges.length + 1);
  if (s.count === 0) return shares;
  let prevF = 0;
  for (let k = 0; k < edges.length; k++) {
    const f = ecdfAt(s, upperBound(s.values, edges[k]!, s.count));
    shares[k] = f - prevF;
    prevF = f;
  }
  shares[edges.length] = 1 - prevF;
  return shares;
}

/** Number of values ≤ x in a sorted array (scipy's searchsorted side='right'). */
function upperBound(v: Float32Array | Float64Array, x: number, count: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** PSI = Σ (c − r)·ln(c / r), a zero share replaced by PSI_EPSILON. */
export function psiFromShares(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  let psi = 0;
  for (let k = 0; k < ref.length; k++) {
    const r = ref[k]! > 0 ? ref[k]! : PSI_EPSILON;
    const c = cur[k]! > 0 ? cur[k]! : PSI_EPSILON;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Jensen–Shannon distance, base 2 (as scipy.spatial.distance.jensenshannon(p, q, base=2)); in [0, 1]. */
export function jensenShannonFromShares(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    sp += p[k]!;
    sq += q[k]!;
  }
  if (sp <= 0 || sq <= 0) return 0;
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k]! / sp;
    const b = q[k]! / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  js = Math.max(0, js / 2 / Math.LN2);
  return Math.min(1, Math.sqrt(js));
}

/** Hellinger distance sqrt(½ Σ (√p − √q)²); in [0, 1]. */
export function hellingerFromShares(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) {
    const d = Math.sqrt(Math.max(0, p[k]!)) - Math.sqrt(Math.max(0, q[k]!));
    s += d * d;
  }
  return Math.min(1, Math.sqrt(s / 2));
}

/**
 * All five scores of one column at once. An empty side (every value dropped) gives no evidence:
 * every effect size 0 and p = 1 (callers check `count` and say so).
 */
export function driftScores(ref: SortedSample, cur: SortedSample, bins = 10): DriftScores {
  if (ref.count === 0 || cur.count === 0) return { psi: 0, ks: 0, ksPValue: 1, wasserstein: 0, jsd: 0, hellinger: 0 };
  const { d, w } = walk(ref, cur, true);
  const edges = referenceQuantileEdges(ref, bins);
  const r = binShares(ref, edges);
  const c = binShares(cur, edges);
  return {
    psi: psiFromShares(r, c),
    ks: d,
    ksPValue: ksPValue(d, ref.n, cur.n),
    wasserstein: w / Math.max(ref.std, WASSERSTEIN_STD_FLOOR),
    jsd: jensenShannonFromShares(r, c),
    hellinger: hellingerFromShares(r, c),
  };
}

/**
 * Both sides on `bins` shared equal-width bins from the smaller minimum to the larger maximum (the
 * last bin closed), as shares (a side's shares sum to 1; all 0 for an empty side). A single value
 * on both sides gets bins of width 1 around it.
 */
export function driftHistogram(ref: SortedSample, cur: SortedSample, bins = 30): DriftHistogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of [ref, cur]) {
    if (s.count > 0) {
      lo = Math.min(lo, s.values[0]!);
      hi = Math.max(hi, s.values[s.count - 1]!);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  } else if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) edges.push(k === bins ? hi : lo + k * width);
  const share = (s: SortedSample): number[] => {
    const out = new Array<number>(bins).fill(0);
    if (s.count === 0) return out;
    // values in [edges[k], edges[k+1]) go to bin k; the maximum goes to the last bin
    let start = 0;
    let prevF = 0;
    for (let k = 0; k < bins - 1; k++) {
      start = lowerBound(s.values, edges[k + 1]!, start, s.count);
      const f = ecdfAt(s, start);
      out[k] = f - prevF;
      prevF = f;
    }
    out[bins - 1] = 1 - prevF;
    return out;
  };
  return { edges, reference: share(ref), current: share(cur) };
}

/** Number of values < x in a sorted array, searching from `from`. */
function lowerBound(v: Float32Array | Float64Array, x: number, from: number, count: number): number {
  let lo = from;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// the KS p-value (scipy.stats.ks_2samp, alternative='two-sided', method='auto')

/** numpy's round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Two-sided p-value of the two-sample KS statistic `d` for sample sizes `n` and `m`, as
 * scipy.stats.ks_2samp(method='auto'): exact (lattice paths) when both sizes are whole numbers of at
 * most 10,000, else the distribution of the one-sample statistic with n = round(n·m / (n + m))
 * (scipy's kstwo.sf). A non-whole size (Kish's effective size of a weighted sample) always takes the
 * second way.
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0) || !(m > 0) || !(d > 0)) return 1;
  if (Number.isInteger(n) && Number.isInteger(m) && Math.max(n, m) <= KS_EXACT_MAX_N) {
    const exact = exactKsPValue(d, n, m);
    if (exact !== undefined) return exact;
  }
  const big = Math.max(n, m);
  const small = Math.min(n, m);
  const en = Math.max(1, roundHalfEven((big * small) / (big + small)));
  return clip01(kolmogorovSf(en, d));
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** scipy's _attempt_exact_2kssamp (two-sided); undefined where it would fall back to the asymptotic way. */
function exactKsPValue(d: number, n1: number, n2: number): number | undefined {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  if (h === 0) return 1;
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return undefined;
  return p;
}

/** Pr(D_{n,n} ≥ h/n) (scipy's _compute_prob_outside_square). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * 1 − the share of lattice paths from (0, 0) to (m, n) staying strictly inside |x·n/g − y·m/g| < h,
 * each column normalised by the binomial coefficient so nothing overflows (scipy's
 * _compute_outer_prob_inside_method).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const a = new Float64Array(n + 1);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  for (let j = minj; j < maxj; j++) a[j] = 1;
  for (let i = 1; i <= m; i++) {
    const lastMax = maxj;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = 0;
    for (let j = minj; j < maxj; j++) {
      const left = j < lastMax ? a[j]! : 0;
      val = (left * i + val * j) / (i + j);
      a[j] = val;
    }
  }
  return maxj === n + 1 ? 1 - a[n]! : 1;
}

const E128 = 2 ** 128;
const EM128 = 2 ** -128;

/** Survival function of the two-sided one-sample KS statistic D_n at x (scipy's kolmogn(n, x, cdf=False)). */
export function kolmogorovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= (i / n) * (2 * t - 1);
    } else prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    // scipy uses Pomeranz's recursion for 0.754693 < n·x² ≤ 4; Durbin's matrix is exact there too
    if (nx2 <= 4) return clip01(1 - durbinCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}

const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417, -0.0005952380952380953,
  0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

/** log(n! / n^n) by Stirling's series. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * y + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/**
 * One-sided Smirnov survival function Pr(D+_n ≥ x), exactly, by the Birnbaum–Tingey sum
 * x·Σ_{j=0}^{⌊n(1−x)⌋} C(n, j)·(1 − x − j/n)^{n−j}·(x + j/n)^{j−1}, terms in log space.
 */
export function smirnovSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const last = Math.floor(n * (1 - x) + 1e-12);
  const logTerms = new Float64Array(last + 1);
  let logC = 0;
  let max = -Infinity;
  let count = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logC += Math.log((n - j + 1) / j);
    const a = (n - j) / n - x;
    const b = x + j / n;
    if (a <= 0 && n - j > 0) break;
    const l = logC + (n - j) * Math.log(a) + (j - 1) * Math.log(b);
    logTerms[count++] = l;
    if (l > max) max = l;
  }
  if (count === 0 || !Number.isFinite(max)) return 0;
  let s = 0;
  for (let k = 0; k < count; k++) s += Math.exp(logTerms[k]! - max);
  return clip01(x * Math.exp(max + Math.log(s)));
}

/** Pr(D_n ≤ d) by Durbin's matrix (Marsaglia, Tsang and Wang 2003), scaled against under/overflow. */
function durbinCdf(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  if (d >= 1) return 1;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r * m] = v[r]!;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c]!;
  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let Hc: Float64Array = H;
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2 === 1) {
      P = matmul(P, Hc, m);
      expnt += hExpnt;
    }
    Hc = matmul(Hc, Hc, m);
    hExpnt *= 2;
    if (Math.abs(Hc[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < Hc.length; i++) Hc[i] = Hc[i]! / E128;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p *= 2 ** expnt;
  return clip01(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      const bo = k * m;
      const oo = i * m;
      for (let j = 0; j < m; j++) out[oo + j]! += aik * b[bo + j]!;
    }
  }
  return out;
}

/** Pelz and Good's approximation to Pr(D_n ≤ x) (as scipy's _kolmogn_PelzGood). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const PI2 = Math.PI ** 2;
  const PI4 = Math.PI ** 4;
  const PI6 = Math.PI ** 6;
  const SQRT2PI = Math.sqrt(2 * Math.PI);
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const mm = 2 * k - 1;
    const m2 = mm * mm;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!;
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / div[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    const kspi = Math.PI * k;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * k2 * qp;
  }
  K[2] = K[2]! + (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K[3] = K[3]! + (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}
