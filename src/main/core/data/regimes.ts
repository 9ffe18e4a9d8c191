/**
 * Operating-regime detection: do a fleet's operating settings form discrete clusters, and how many?
 *
 * 1. The settings are rounded the way flight conditions are reported: each to three significant
 *    digits of its largest magnitude (C-MAPSS: altitude 42 kft → 0.1 kft, Mach 0.84 → 0.001,
 *    throttle resolver angle 100 → 1°). A setting that is tiny noise around a value becomes constant;
 *    constant settings are left out. No setting left (or none at all) means one regime.
 * 2. On a seeded subsample of at most SAMPLE_ROWS rows (so a 1M-row import costs no more than a
 *    small one), the rounded settings are scaled by their standard deviation and clustered by k-means
 *    (k-means++ seeding, RESTARTS restarts, the lowest inertia kept) for k = 1..MAX_REGIMES. Identical
 *    rounded rows are one point weighted by their count (the same clustering and silhouette, and
 *    discrete regimes cost a handful of distances).
 * 3. A k whose centroids include two within two rounding steps of each other in every setting has cut
 *    one operating point along its rounded noise levels (identical rounded rows score a perfect
 *    silhouette) and is not eligible. k is the eligible one with the highest mean silhouette,
 *    provided that silhouette shows strong structure
 *    (≥ STRONG_SILHOUETTE, Kaufman & Rousseeuw's "strong" band); otherwise there is one regime. Noise
 *    around one operating point (FD001) has a best silhouette well below that; FD002's six flight
 *    conditions score ≈ 1.
 * 4. Every row of the fleet (or of `fitRows`) is assigned to the nearest k-means centroid (distance
 *    in the scaled settings, first centroid on ties); each regime's centroid is then the mean of its
 *    rows' raw settings, in the settings' own units, and regimes are numbered in the order of their
 *    centroids. `assignRegimeRows` applies that rule to any table.
 *
 * Deterministic: the subsample and the k-means seeding come from a seeded generator.
 */
import { PrognosError } from '../../../shared/errors';
import type { DatasetRegimes } from '../../../shared/schemas';
import { createRng } from '../split';
import type { FleetTable } from './table';

export const MAX_REGIMES = 8;
export const SAMPLE_ROWS = 2000;
export const STRONG_SILHOUETTE = 0.7;
const RESTARTS = 3;
/** centroids closer than this many rounding steps in every setting are one operating point */
const OVER_SPLIT_STEPS = 2;
const MAX_ITERATIONS = 100;
const DEFAULT_SEED = 0;

export const REGIME_METHOD =
  `settings rounded to 3 significant digits; k-means for k = 1..${MAX_REGIMES} on a seeded subsample of ` +
  `≤ ${SAMPLE_ROWS} rows; k = the best mean silhouette when it is ≥ ${STRONG_SILHOUETTE} (no two centroids within ${OVER_SPLIT_STEPS} rounding steps), else 1`;

export interface DetectOptions {
  /** rows (1 = use) to detect on; all rows when absent */
  readonly fitRows?: Uint8Array;
  readonly seed?: number;
}

/** The rounding step of a setting whose largest magnitude is `maxAbs`: three significant digits. */
export function roundingStep(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return 1;
  return Math.pow(10, Math.floor(Math.log10(maxAbs)) - 2);
}

function roundTo(x: number, step: number): number {
  return Math.round(x / step) * step + 0;
}

function candidateRows(n: number, fitRows?: Uint8Array): Int32Array {
  if (fitRows === undefined) {
    // a plain loop: Int32Array.from with a mapping function costs ~40 ms on a 1M-row fleet
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (fitRows[i] === 1) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (fitRows[i] === 1) out[k++] = i;
  return out;
}

/** A seeded sample of at most `size` of `rows` (Floyd's algorithm), in row order. */
function sampleOf(rows: Int32Array, size: number, seed: number): Int32Array {
  if (rows.length <= size) return rows;
  const rng = createRng(seed);
  const picked = new Set<number>();
  for (let j = rows.length - size; j < rows.length; j++) {
    const t = Math.floor(rng() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  return Int32Array.from([...picked].sort((a, b) => a - b), (p) => rows[p]!);
}

function sqDist(points: Float64Array, d: number, i: number, c: Float64Array, o: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = points[i * d + j]! - c[o + j]!;
    s += v * v;
  }
  return s;
}

function nearestCentroid(points: Float64Array, d: number, i: number, centroids: Float64Array, k: number): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = sqDist(points, d, i, centroids, c * d);
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

interface Clustering {
  centroids: Float64Array;
  assign: Int32Array;
  inertia: number;
}

/**
 * k-means++ seeding then Lloyd iterations on n distinct points of dimension d, point i standing for
 * weight[i] rows (identical rows are one weighted point: the same clustering, far fewer distances).
 */
function kmeansOnce(points: Float64Array, weight: Float64Array, n: number, d: number, k: number, rng: () => number): Clustering {
  const centroids = new Float64Array(k * d);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weight[i]!;
  let first = n - 1;
  let target0 = rng() * totalWeight;
  for (let i = 0; i < n; i++) {
    target0 -= weight[i]!;
    if (target0 < 0) {
      first = i;
      break;
    }
  }
  for (let j = 0; j < d; j++) centroids[j] = points[first * d + j]!;
  const dist = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dd = sqDist(points, d, i, centroids, (c - 1) * d);
      if (dd < dist[i]!) dist[i] = dd;
      total += weight[i]! * dist[i]!;
    }
    let chosen = n - 1;
    if (total > 0) {
      let target = rng() * total;
      for (let i = 0; i < n; i++) {
        target -= weight[i]! * dist[i]!;
        if (target < 0) {
          chosen = i;
          break;
        }
      }
    }
    for (let j = 0; j < d; j++) centroids[c * d + j] = points[chosen * d + j]!;
  }
  const assign = new Int32Array(n).fill(-1);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const c = nearestCentroid(points, d, i, centroids, k);
      if (c !== assign[i]) {
        assign[i] = c;
        changed = true;
      }
    }
    if (!changed) break;
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = assign[i]!;
      const w = weight[i]!;
      counts[c]! += w;
      for (let j = 0; j < d; j++) sums[c * d + j]! += w * points[i * d + j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j]! / counts[c]!;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += weight[i]! * sqDist(points, d, i, centroids, assign[i]! * d);
  return { centroids, assign, inertia };
}

function kmeans(points: Float64Array, weight: Float64Array, n: number, d: number, k: number, seed: number): Clustering {
  const rng = createRng(seed * 131 + k);
  let best: Clustering | undefined;
  for (let r = 0; r < RESTARTS; r++) {
    const c = kmeansOnce(points, weight, n, d, k, rng);
    if (best === undefined || c.inertia < best.inertia - 1e-12) best = c;
  }
  return best!;
}

/**
 * Mean silhouette of a clustering (Euclidean distance) of n distinct points, point i standing for
 * weight[i] identical rows; null unless at least two clusters have rows. A row alone in its cluster
 * scores 0. Equals the silhouette over the rows themselves.
 */
export function meanSilhouette(
  points: Float64Array,
  weight: Float64Array,
  n: number,
  d: number,
  assign: Int32Array,
  k: number,
): number | null {
  const size = new Float64Array(k);
  let rows = 0;
  for (let i = 0; i < n; i++) {
    size[assign[i]!]! += weight[i]!;
    rows += weight[i]!;
  }
  let nonEmpty = 0;
  for (let c = 0; c < k; c++) if (size[c]! > 0) nonEmpty++;
  if (nonEmpty < 2) return null;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < d; q++) {
        const v = points[i * d + q]! - points[j * d + q]!;
        s += v * v;
      }
      sums[assign[j]!]! += weight[j]! * Math.sqrt(s);
    }
    const own = assign[i]!;
    if (size[own]! <= 1) continue;
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && size[c]! > 0) b = Math.min(b, sums[c]! / size[c]!);
    const m = Math.max(a, b);
    total += weight[i]! * (m > 0 ? (b - a) / m : 0);
  }
  return total / rows;
}

/**
 * True when two centroids are within OVER_SPLIT_STEPS rounding steps of each other in every setting:
 * the clustering has cut one operating point along the few levels its noise rounds to (identical
 * rounded rows score a perfect silhouette, so such a split would otherwise look best).
 */
function overSplit(centroids: Float64Array, k: number, d: number, scale: readonly number[], steps: readonly number[]): boolean {
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let close = true;
      for (let j = 0; j < d && close; j++) {
        close = Math.abs(centroids[a * d + j]! - centroids[b * d + j]!) * scale[j]! <= OVER_SPLIT_STEPS * steps[j]!;
      }
      if (close) return true;
    }
  }
  return false;
}

function singleRegime(
  table: FleetTable,
  rows: Int32Array,
  settings: readonly number[],
  scale: readonly number[],
  scores: DatasetRegimes['scores'],
  sampleRows: number,
  note?: string,
): DatasetRegimes {
  const centroid = settings.map((s) => {
    const col = table.values[s]!;
    let sum = 0;
    for (let r = 0; r < rows.length; r++) sum += col[rows[r]!]!;
    return rows.length > 0 ? sum / rows.length : 0;
  });
  return {
    method: REGIME_METHOD,
    k: 1,
    settings: settings.map((s) => table.columns[s]!.name),
    scale: [...scale],
    centroids: [centroid],
    rows: [rows.length],
    scores,
    sampleRows,
    ...(note === undefined ? {} : { note }),
  };
}

/** Detects the operating regimes of `table` (see the module comment). */
export function detectRegimes(table: FleetTable, opts: DetectOptions = {}): DatasetRegimes {
  const seed = opts.seed ?? DEFAULT_SEED;
  const rows = candidateRows(table.rowCount, opts.fitRows);
  const settingCols = table.columns.flatMap((c, i) => (c.role === 'setting' ? [i] : []));
  if (settingCols.length === 0) return singleRegime(table, rows, [], [], [], 0, 'no operating-setting columns');
  const sample = sampleOf(rows, SAMPLE_ROWS, seed);
  const n = sample.length;

  // round each setting; keep those that still vary, scaled by their standard deviation
  const used: number[] = [];
  const scale: number[] = [];
  const steps: number[] = [];
  const rounded: Float64Array[] = [];
  for (const s of settingCols) {
    const col = table.values[s]!;
    let maxAbs = 0;
    for (let r = 0; r < n; r++) maxAbs = Math.max(maxAbs, Math.abs(col[sample[r]!]!));
    const step = roundingStep(maxAbs);
    const v = Float64Array.from(sample, (i) => roundTo(col[i]!, step));
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < n; r++) {
      lo = Math.min(lo, v[r]!);
      hi = Math.max(hi, v[r]!);
    }
    if (!(hi > lo)) continue;
    let mean = 0;
    for (let r = 0; r < n; r++) mean += v[r]!;
    mean /= Math.max(1, n);
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (v[r]! - mean) * (v[r]! - mean);
    const sd = Math.sqrt(ss / Math.max(1, n));
    if (sd > 0 && Number.isFinite(sd)) {
      used.push(s);
      scale.push(sd);
      steps.push(step);
      rounded.push(v);
    }
  }
  if (used.length === 0) {
    return singleRegime(table, rows, settingCols, settingCols.map(() => 1), [], n, 'the operating settings are constant after rounding');
  }
  // identical rounded rows become one weighted point (discrete regimes: a handful of points)
  const d = used.length;
  const index = new Map<string, number>();
  const unique: number[] = [];
  const multiplicity: number[] = [];
  const key = new Array<number>(d);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) key[j] = rounded[j]![r]!;
    const id = key.join(',');
    const at = index.get(id);
    if (at !== undefined) multiplicity[at]!++;
    else {
      index.set(id, multiplicity.length);
      multiplicity.push(1);
      for (let j = 0; j < d; j++) unique.push(key[j]! / scale[j]!);
    }
  }
  const points = Float64Array.from(unique);
  const weight = Float64Array.from(multiplicity);
  const u = multiplicity.length;

  const scores: DatasetRegimes['scores'] = [{ k: 1, silhouette: null }];
  let bestK = 1;
  let bestScore = -Infinity;
  let bestClustering: Clustering | undefined;
  for (let k = 2; k <= MAX_REGIMES; k++) {
    if (k > u) {
      scores.push({ k, silhouette: null });
      continue;
    }
    const c = kmeans(points, weight, u, d, k, seed);
    const s = meanSilhouette(points, weight, u, d, c.assign, k);
    const split = overSplit(c.centroids, k, d, scale, steps);
    scores.push({ k, silhouette: s === null ? null : Number(s.toFixed(6)), ...(split ? { overSplit: true } : {}) });
    if (s !== null && !split && s > bestScore + 1e-9) {
      bestScore = s;
      bestK = k;
      bestClustering = c;
    }
  }
  if (bestClustering === undefined || bestScore < STRONG_SILHOUETTE) {
    return singleRegime(table, rows, used, scale, scores, n);
  }

  // assign every row to the nearest k-means centroid, then take each regime's mean in raw units
  const k = bestK;
  const zCentroids = bestClustering.centroids;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const point = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    for (let j = 0; j < d; j++) point[j] = table.values[used[j]!]![i]! / scale[j]!;
    const c = nearestCentroid(point, d, 0, zCentroids, k);
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += table.values[used[j]!]![i]!;
  }
  const regimes = Array.from({ length: k }, (_, c) => ({
    centroid: Array.from({ length: d }, (_, j) => (counts[c]! > 0 ? sums[c * d + j]! / counts[c]! : zCentroids[c * d + j]! * scale[j]!)),
  })).filter((_, c) => counts[c]! > 0);
  regimes.sort((a, b) => {
    for (let j = 0; j < d; j++) if (a.centroid[j] !== b.centroid[j]) return a.centroid[j]! - b.centroid[j]!;
    return 0;
  });
  const out: DatasetRegimes = {
    method: REGIME_METHOD,
    k: regimes.length,
    settings: used.map((s) => table.columns[s]!.name),
    scale,
    centroids: regimes.map((r) => r.centroid),
    rows: [],
    scores,
    sampleRows: n,
  };
  const assigned = assignRegimeRows(table, out, opts.fitRows);
  const perRegime = new Array<number>(out.k).fill(0);
  for (let r = 0; r < rows.length; r++) perRegime[assigned[rows[r]!]!]!++;
  return { ...out, rows: perRegime };
}

/**
 * The regime of every row of `table` under detected regimes: the nearest centroid, distances in
 * each setting divided by its scale, first centroid on ties. Rows outside `fitRows` get −1 when it
 * is given. With one regime every row is regime 0; otherwise a table without one of the settings is
 * INVALID_INPUT.
 */
export function assignRegimeRows(table: FleetTable, regimes: DatasetRegimes, fitRows?: Uint8Array): Int32Array {
  const out = new Int32Array(table.rowCount);
  if (regimes.k <= 1) {
    if (fitRows !== undefined) for (let i = 0; i < table.rowCount; i++) if (fitRows[i] !== 1) out[i] = -1;
    return out;
  }
  const cols = regimes.settings.map((name) => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new PrognosError('INVALID_INPUT', `the operating regimes are defined on setting "${name}", which this data lacks`);
    return table.values[i]!;
  });
  const d = cols.length;
  const centroids = Float64Array.from(regimes.centroids.flatMap((c) => c.map((v, j) => v / regimes.scale[j]!)));
  const point = new Float64Array(d);
  for (let i = 0; i < table.rowCount; i++) {
    if (fitRows !== undefined && fitRows[i] !== 1) {
      out[i] = -1;
      continue;
    }
    for (let j = 0; j < d; j++) point[j] = cols[j]![i]! / regimes.scale[j]!;
    out[i] = nearestCentroid(point, d, 0, centroids, regimes.k);
  }
  return out;
}

/** "6 operating regimes", "1 operating regime". */
export function regimeCountText(k: number): string {
  return `${k} operating regime${k === 1 ? '' : 's'}`;
}

/** Points of a scatter of the settings coloured by regime. */
export interface RegimeScatter {
  /** the settings on the axes: the two that separate the regimes best (one when there is one) */
  readonly axes: string[];
  readonly x: number[];
  /** the second setting; with a single setting, the row's cycle */
  readonly y: number[];
  /** regime index (0-based) of each point */
  readonly regime: number[];
  /** rows of the table */
  readonly totalRows: number;
}

/**
 * The settings ordered by how well they separate the regimes: first by the pairs of regimes whose
 * centroids differ in that setting (by more than 1 % of its scale), then by the share of its variance
 * that lies between the regimes (η², from the centroids and the rows per regime).
 */
export function separatingSettings(regimes: DatasetRegimes): string[] {
  const total = regimes.rows.reduce((a, b) => a + b, 0);
  const ranked = regimes.settings.map((name, j) => {
    const scale = regimes.scale[j]!;
    let pairs = 0;
    for (let a = 0; a < regimes.k; a++) {
      for (let b = a + 1; b < regimes.k; b++) {
        if (Math.abs(regimes.centroids[a]![j]! - regimes.centroids[b]![j]!) > 0.01 * scale) pairs++;
      }
    }
    let eta = 0;
    if (total > 0 && regimes.k > 1) {
      let mean = 0;
      regimes.centroids.forEach((c, r) => (mean += (c[j]! * regimes.rows[r]!) / total));
      let between = 0;
      regimes.centroids.forEach((c, r) => (between += (regimes.rows[r]! * (c[j]! - mean) ** 2) / total));
      eta = between / scale ** 2;
    }
    return { name, j, pairs, eta };
  });
  return ranked.sort((a, b) => b.pairs - a.pairs || b.eta - a.eta || a.j - b.j).map((e) => e.name);
}

/**
 * At most `maxPoints` rows (every ⌈n / maxPoints⌉-th row, so the same rows every time) of the two
 * settings that separate the regimes best, with each row's regime. Null without settings.
 */
export function regimeScatter(table: FleetTable, regimes: DatasetRegimes, maxPoints = 5000): RegimeScatter | null {
  const axes = separatingSettings(regimes).slice(0, 2);
  if (axes.length === 0) return null;
  const colOf = (name: string): Float64Array => {
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new PrognosError('INVALID_INPUT', `the operating regimes are defined on setting "${name}", which this data lacks`);
    return table.values[i]!;
  };
  const step = Math.max(1, Math.ceil(table.rowCount / maxPoints));
  const pick = new Uint8Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i += step) pick[i] = 1;
  const assigned = assignRegimeRows(table, regimes, pick);
  const xs = colOf(axes[0]!);
  const ys = axes.length > 1 ? colOf(axes[1]!) : null;
  const x: number[] = [];
  const y: number[] = [];
  const regime: number[] = [];
  for (let i = 0; i < table.rowCount; i += step) {
    x.push(xs[i]!);
    y.push(ys === null ? table.cycle[i]! : ys[i]!);
    regime.push(Math.max(0, assigned[i]!));
  }
  return { axes, x, y, regime, totalRows: table.rowCount };
}
