/**
 * Feature ranking for selection. Per feature, on the given (training) rows:
 *
 * - mutualInfo: mutual information (nats) between the feature and the binary label, histogram
 *   estimator on `bins` (16) equal-frequency bins. Bins come from mid-ranks, so tied values always
 *   share a bin: bin = floor((midrank − 1) · bins / n).
 * - spearman: |Spearman ρ| between the feature and RUL (Pearson correlation of mid-ranks);
 *   `spearmanSigned` keeps the sign.
 * - monotonicity: mean over units of |#(Δx > 0) − #(Δx < 0)| / (n − 1) (units with < 2 rows skipped).
 * - trendability: min over unit pairs of |corr(x_j, x_k)|. Every unit's trajectory is resampled by
 *   linear interpolation over its life fraction to a fixed `resampleLength` (100) points, so that
 *   pairs of different lengths are compared point for point. All pairs are used up to `maxPairs`
 *   (5000, i.e. every pair for ≤ 100 units); above that a seeded, deterministic random sample of
 *   `maxPairs` distinct pairs is used. A trajectory with zero variance correlates 0.
 * - prognosability: exp(−std_j(x_j at failure) / mean_j |x_j(start) − x_j(failure)|), with failure =
 *   the unit's last given row (pass run-to-failure rows); 0 when the denominator is 0.
 * - gain: optional model importance (e.g. GBDT total gain) passed in by name; missing names count 0.
 *
 * Undefined values (constant feature, no positives, …) are 0. The combined score is the weighted mean of the
 * per-metric ranks (weights default to 1) (1 = best, ties get the average rank) over the five metrics (six with gain);
 * lower is better. `rank` orders features by combined score, ties broken by higher mutual
 * information, then by name.
 */
import { PrognosError } from '../../../shared/errors';
import { type FleetTable, unitSpans } from '../data/table';
import { float32SortKey, keyIndexBuffers, radixSortKeyIndex } from '../radix-sort';
import { createRng } from '../split';

export interface RankingInput {
  readonly names: readonly string[];
  readonly columns: readonly ArrayLike<number>[];
  readonly table: Pick<FleetTable, 'rowCount' | 'unit'>;
  readonly rul: ArrayLike<number>;
  /** 0/1 label per row (e.g. `failWithin(rul, 30)`). */
  readonly label: ArrayLike<number>;
  /** Rows to use (1 = use), typically the training units; all rows when absent. */
  readonly rows?: Uint8Array;
  /** Optional model importance per feature name. */
  readonly gain?: Record<string, number>;
}

export type RankingMetric = 'mutualInfo' | 'spearman' | 'monotonicity' | 'trendability' | 'prognosability' | 'gain';

export interface RankingOptions {
  /** Weight of each metric's rank in the combined score (default 1 each). */
  readonly weights?: Partial<Record<RankingMetric, number>>;
  readonly bins?: number;
  readonly resampleLength?: number;
  readonly maxPairs?: number;
  readonly seed?: number;
}

export interface FeatureRank {
  readonly name: string;
  /** 1 = best */
  readonly rank: number;
  /** Mean of the per-metric ranks; lower is better. */
  readonly combined: number;
  readonly mutualInfo: number;
  /** |Spearman ρ| with RUL */
  readonly spearman: number;
  readonly spearmanSigned: number;
  readonly monotonicity: number;
  readonly trendability: number;
  readonly prognosability: number;
  readonly gain?: number;
}

export const RANKING_DEFAULTS = { bins: 16, resampleLength: 100, maxPairs: 5000, seed: 0 } as const;

/**
 * Mid-ranks (1-based, ties averaged) of `values`, compared at float32 precision (features are
 * stored as Float32). Sorting is an LSD radix sort (3 passes of 11 bits) of order-preserving 32-bit
 * keys, O(n).
 */
export function midRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const vf = new Float32Array(n);
  for (let i = 0; i < n; i++) vf[i] = values[i]! === 0 ? 0 : values[i]!;
  const bits = new Uint32Array(vf.buffer);
  const buf = keyIndexBuffers(n);
  for (let i = 0; i < n; i++) {
    buf.keys[i] = float32SortKey(bits[i]!);
    buf.idx[i] = i;
  }
  radixSortKeyIndex(buf, n);
  const { keys, idx } = buf;
  const ranks = new Float64Array(n);
  let k = 0;
  while (k < n) {
    const key = keys[k]!;
    let e = k + 1;
    while (e < n && keys[e] === key) e++;
    const r = (k + 1 + e) / 2;
    for (let j = k; j < e; j++) ranks[idx[j]!] = r;
    k = e;
  }
  return ranks;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Mutual information (nats) of equal-frequency bins of x (given as mid-ranks) with a 0/1 label. */
function mutualInformation(ranks: Float64Array, label: Uint8Array, bins: number): number {
  const n = ranks.length;
  if (n === 0) return 0;
  const joint = new Float64Array(bins * 2);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(((ranks[i]! - 1) * bins) / n));
    joint[b * 2 + label[i]!]!++;
  }
  let pos = 0;
  for (let b = 0; b < bins; b++) pos += joint[b * 2 + 1]!;
  const py = [(n - pos) / n, pos / n];
  let mi = 0;
  for (let b = 0; b < bins; b++) {
    const pb = (joint[b * 2]! + joint[b * 2 + 1]!) / n;
    for (let y = 0; y < 2; y++) {
      const pby = joint[b * 2 + y]! / n;
      if (pby > 0) mi += pby * Math.log(pby / (pb * py[y]!));
    }
  }
  return Math.max(0, mi);
}

interface Segment {
  start: number;
  end: number;
}

/** Per-unit runs of the selected rows, as index ranges into the gathered (compacted) arrays. */
function segmentsOf(
  table: Pick<FleetTable, 'rowCount' | 'unit'>,
  rows: Uint8Array | undefined,
): { index: Int32Array; segments: Segment[] } {
  const index: number[] = [];
  const segments: Segment[] = [];
  for (const span of unitSpans(table)) {
    const start = index.length;
    for (let i = span.start; i < span.end; i++) if (rows === undefined || rows[i] === 1) index.push(i);
    if (index.length > start) segments.push({ start, end: index.length });
  }
  return { index: Int32Array.from(index), segments };
}

function monotonicity(x: Float64Array, segments: readonly Segment[]): number {
  let sum = 0;
  let count = 0;
  for (const { start, end } of segments) {
    if (end - start < 2) continue;
    let up = 0;
    let down = 0;
    for (let i = start + 1; i < end; i++) {
      const d = x[i]! - x[i - 1]!;
      if (d > 0) up++;
      else if (d < 0) down++;
    }
    sum += Math.abs(up - down) / (end - start - 1);
    count++;
  }
  return count > 0 ? sum / count : 0;
}

function prognosability(x: Float64Array, segments: readonly Segment[]): number {
  const m = segments.length;
  if (m === 0) return 0;
  let meanFail = 0;
  let meanRange = 0;
  for (const { start, end } of segments) {
    meanFail += x[end - 1]!;
    meanRange += Math.abs(x[start]! - x[end - 1]!);
  }
  meanFail /= m;
  meanRange /= m;
  let ss = 0;
  for (const { end } of segments) ss += (x[end - 1]! - meanFail) ** 2;
  const std = Math.sqrt(ss / m);
  if (!(meanRange > 0)) return 0;
  return Math.exp(-std / meanRange);
}

/** Each unit resampled to L points over its life fraction, then z-scored; constant ones flagged. */
function resampled(x: Float64Array, segments: readonly Segment[], L: number): { z: Float64Array; flat: Uint8Array } {
  const z = new Float64Array(segments.length * L);
  const flat = new Uint8Array(segments.length);
  segments.forEach(({ start, end }, j) => {
    const n = end - start;
    const base = j * L;
    let mean = 0;
    for (let k = 0; k < L; k++) {
      let v: number;
      if (n === 1) v = x[start]!;
      else {
        const pos = (k * (n - 1)) / (L - 1);
        const lo = Math.floor(pos);
        const frac = pos - lo;
        v = lo + 1 < n ? x[start + lo]! * (1 - frac) + x[start + lo + 1]! * frac : x[start + lo]!;
      }
      z[base + k] = v;
      mean += v;
    }
    mean /= L;
    let ss = 0;
    for (let k = 0; k < L; k++) ss += (z[base + k]! - mean) ** 2;
    const sd = Math.sqrt(ss / L);
    if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) {
      flat[j] = 1;
      z.fill(0, base, base + L);
    } else {
      for (let k = 0; k < L; k++) z[base + k] = (z[base + k]! - mean) / sd;
    }
  });
  return { z, flat };
}

function unitPairs(m: number, maxPairs: number, seed: number): Int32Array {
  const total = (m * (m - 1)) / 2;
  if (total <= maxPairs) {
    const out = new Int32Array(total * 2);
    let p = 0;
    for (let a = 0; a < m; a++) {
      for (let b = a + 1; b < m; b++) {
        out[p++] = a;
        out[p++] = b;
      }
    }
    return out;
  }
  const rng = createRng(seed);
  const seen = new Set<number>();
  const out = new Int32Array(maxPairs * 2);
  let p = 0;
  while (seen.size < maxPairs) {
    const a = Math.floor(rng() * m);
    const b = Math.floor(rng() * m);
    if (a === b) continue;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * m + hi;
    if (seen.has(key)) continue;
    seen.add(key);
    out[p++] = lo;
    out[p++] = hi;
  }
  return out;
}

function trendability(z: Float64Array, flat: Uint8Array, pairs: Int32Array, L: number): number {
  if (pairs.length === 0) return 0;
  let min = Infinity;
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p]!;
    const b = pairs[p + 1]!;
    if (flat[a] === 1 || flat[b] === 1) return 0;
    const ba = a * L;
    const bb = b * L;
    let dot = 0;
    for (let k = 0; k < L; k++) dot += z[ba + k]! * z[bb + k]!;
    const c = Math.abs(dot / L);
    if (c < min) {
      min = c;
      if (min === 0) break;
    }
  }
  return Math.min(1, min);
}

/** Ranks (1 = best, ties averaged) of `scores`, higher score = better. */
function descendingRanks(scores: readonly number[]): Float64Array {
  return midRanks(scores.map((s) => -s));
}

export function rankFeatures(input: RankingInput, opts: RankingOptions = {}): FeatureRank[] {
  const bins = opts.bins ?? RANKING_DEFAULTS.bins;
  const L = opts.resampleLength ?? RANKING_DEFAULTS.resampleLength;
  const maxPairs = opts.maxPairs ?? RANKING_DEFAULTS.maxPairs;
  const seed = opts.seed ?? RANKING_DEFAULTS.seed;
  const { names, columns, table, rul, label, rows } = input;
  if (names.length !== columns.length) {
    throw new PrognosError('INVALID_INPUT', `ranking: ${names.length} names but ${columns.length} columns`);
  }
  if (!(bins >= 2) || !(L >= 2) || !(maxPairs >= 1)) {
    throw new PrognosError('INVALID_INPUT', 'ranking: bins and resampleLength must be ≥ 2, maxPairs ≥ 1');
  }
  const n = table.rowCount;
  for (const [what, arr] of [
    ['rul', rul],
    ['label', label],
    ['rows', rows],
    ...columns.map((c, i) => [names[i]!, c] as const),
  ] as const) {
    if (arr !== undefined && arr.length !== n) {
      throw new PrognosError('INVALID_INPUT', `ranking: ${what} has ${arr.length} rows, the table ${n}`);
    }
  }
  const { index, segments } = segmentsOf(table, rows);
  const m = index.length;
  const y = new Uint8Array(m);
  const r = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    y[k] = label[index[k]!]! > 0 ? 1 : 0;
    r[k] = rul[index[k]!]!;
  }
  const rulRanks = midRanks(r);
  const pairs = unitPairs(segments.length, maxPairs, seed);
  const x = new Float64Array(m);

  const raw = columns.map((col, f) => {
    for (let k = 0; k < m; k++) x[k] = col[index[k]!]!;
    const ranks = midRanks(x);
    const rho = pearson(ranks, rulRanks);
    const { z, flat } = resampled(x, segments, L);
    const row = {
      name: names[f]!,
      mutualInfo: mutualInformation(ranks, y, bins),
      spearman: Math.abs(rho),
      spearmanSigned: rho,
      monotonicity: monotonicity(x, segments),
      trendability: trendability(z, flat, pairs, L),
      prognosability: prognosability(x, segments),
    };
    return input.gain === undefined ? row : { ...row, gain: input.gain[names[f]!] ?? 0 };
  });

  const w = (m: RankingMetric): number => opts.weights?.[m] ?? 1;
  const metricRanks: [number, Float64Array][] = [
    [w('mutualInfo'), descendingRanks(raw.map((r) => r.mutualInfo))],
    [w('spearman'), descendingRanks(raw.map((r) => r.spearman))],
    [w('monotonicity'), descendingRanks(raw.map((r) => r.monotonicity))],
    [w('trendability'), descendingRanks(raw.map((r) => r.trendability))],
    [w('prognosability'), descendingRanks(raw.map((r) => r.prognosability))],
  ];
  if (input.gain !== undefined) metricRanks.push([w('gain'), descendingRanks(raw.map((r) => ('gain' in r ? r.gain : 0)))]);
  const totalWeight = metricRanks.reduce((s, [weight]) => s + weight, 0);
  if (!(totalWeight > 0)) throw new PrognosError('INVALID_INPUT', 'ranking weights must add up to more than 0');
  const combined = raw.map((_, f) => metricRanks.reduce((s, [weight, ranks]) => s + weight * ranks[f]!, 0) / totalWeight);
  const order = raw.map((_, f) => f);
  order.sort(
    (a, b) =>
      combined[a]! - combined[b]! ||
      raw[b]!.mutualInfo - raw[a]!.mutualInfo ||
      (raw[a]!.name < raw[b]!.name ? -1 : raw[a]!.name > raw[b]!.name ? 1 : 0),
  );
  return order.map((f, i) => ({ ...raw[f]!, rank: i + 1, combined: combined[f]! }));
}

/**
 * Names of the selected features: the `manual` (pinned) names first, in the given order, then the
 * best-ranked others until there are max(k, manual.length) names. Unknown manual names are refused.
 */
export function selectTop(ranking: readonly FeatureRank[], k = 40, manual?: readonly string[]): string[] {
  if (!Number.isInteger(k) || k < 0) throw new PrognosError('INVALID_INPUT', `k must be an integer ≥ 0, got ${k}`);
  const known = new Set(ranking.map((r) => r.name));
  const out: string[] = [];
  const taken = new Set<string>();
  for (const name of manual ?? []) {
    if (!known.has(name)) throw new PrognosError('INVALID_INPUT', `unknown feature "${name}" in the manual selection`);
    if (!taken.has(name)) {
      taken.add(name);
      out.push(name);
    }
  }
  const byRank = [...ranking].sort((a, b) => a.rank - b.rank);
  for (const r of byRank) {
    if (out.length >= k) break;
    if (!taken.has(r.name)) {
      taken.add(r.name);
      out.push(r.name);
    }
  }
  return out;
}
