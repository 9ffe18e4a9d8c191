/**
 * Operating-regime normalisation: k-means (seeded k-means++ then Lloyd) on the z-scored operating
 * settings, then per-regime standardisation of each sensor with means and stds fitted on the given
 * rows. Regimes without fitted rows fall back to the overall mean/std of the fitted rows.
 */
import { PrognosError } from '../../../shared/errors';
import type { DatasetRegimes } from '../../../shared/schemas';
import { type FleetTable } from '../data/table';
import { createRng } from '../split';

/** JSON-serialisable fitted regime model (kept in the feature state and the export manifest). */
export interface RegimeModel {
  readonly settings: string[];
  readonly settingMean: number[];
  readonly settingStd: number[];
  /** k centroids in z-scored setting space. */
  readonly centroids: number[][];
  readonly sensors: string[];
  /** [regime][sensor] */
  readonly sensorMean: number[][];
  readonly sensorStd: number[][];
}

const MAX_ITERATIONS = 100;

export function columnIndex(table: Pick<FleetTable, 'columns'>, name: string): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new PrognosError('INVALID_INPUT', `no column named ${name}`);
  return i;
}

function settingMatrix(
  table: FleetTable,
  model: Pick<RegimeModel, 'settings' | 'settingMean' | 'settingStd'>,
): Float64Array {
  const d = model.settings.length;
  const out = new Float64Array(table.rowCount * d);
  model.settings.forEach((name, s) => {
    const col = table.values[columnIndex(table, name)]!;
    const m = model.settingMean[s]!;
    const sd = model.settingStd[s]!;
    for (let i = 0; i < table.rowCount; i++) out[i * d + s] = (col[i]! - m) / sd;
  });
  return out;
}

function nearest(points: Float64Array, d: number, i: number, centroids: readonly Float64Array[]): number {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const cen = centroids[c]!;
    let dist = 0;
    for (let s = 0; s < d; s++) {
      const diff = points[i * d + s]! - cen[s]!;
      dist += diff * diff;
    }
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return best;
}

/** Regime index of every row under a fitted model. */
export function assignRegimes(table: FleetTable, model: RegimeModel): Int32Array {
  const d = model.settings.length;
  const points = settingMatrix(table, model);
  const centroids = model.centroids.map((c) => Float64Array.from(c));
  const out = new Int32Array(table.rowCount);
  for (let i = 0; i < table.rowCount; i++) out[i] = nearest(points, d, i, centroids);
  return out;
}

function kmeans(points: Float64Array, d: number, rows: Int32Array, k: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  const n = rows.length;
  const centroids: Float64Array[] = [];
  const pick = (row: number): Float64Array => Float64Array.from(points.subarray(row * d, row * d + d));
  centroids.push(pick(rows[Math.floor(rng() * n)]!));
  const dist = new Float64Array(n).fill(Infinity);
  while (centroids.length < k) {
    const last = centroids[centroids.length - 1]!;
    let total = 0;
    for (let r = 0; r < n; r++) {
      const i = rows[r]!;
      let dd = 0;
      for (let s = 0; s < d; s++) {
        const diff = points[i * d + s]! - last[s]!;
        dd += diff * diff;
      }
      if (dd < dist[r]!) dist[r] = dd;
      total += dist[r]!;
    }
    if (total <= 0) {
      // fewer distinct points than k: the extra centroids duplicate an existing one and stay empty
      centroids.push(Float64Array.from(last));
      continue;
    }
    let target = rng() * total;
    let chosen = n - 1;
    for (let r = 0; r < n; r++) {
      target -= dist[r]!;
      if (target < 0) {
        chosen = r;
        break;
      }
    }
    centroids.push(pick(rows[chosen]!));
  }
  const assign = new Int32Array(n).fill(-1);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    let changed = false;
    for (let r = 0; r < n; r++) {
      const c = nearest(points, d, rows[r]!, centroids);
      if (c !== assign[r]) {
        assign[r] = c;
        changed = true;
      }
    }
    if (!changed) break;
    const sums = centroids.map(() => new Float64Array(d));
    const counts = new Float64Array(k);
    for (let r = 0; r < n; r++) {
      const c = assign[r]!;
      const i = rows[r]!;
      counts[c]!++;
      for (let s = 0; s < d; s++) sums[c]![s]! += points[i * d + s]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! > 0) for (let s = 0; s < d; s++) centroids[c]![s] = sums[c]![s]! / counts[c]!;
    }
  }
  return centroids;
}

function maskedRows(rowCount: number, fitRows?: Uint8Array): Int32Array {
  if (fitRows === undefined) return Int32Array.from({ length: rowCount }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < rowCount; i++) if (fitRows[i] === 1) out.push(i);
  return Int32Array.from(out);
}

/** Fit the regime model on the rows where `fitRows` is 1 (all rows when absent). */
export function fitRegimes(
  table: FleetTable,
  sensors: readonly string[],
  clusters: number,
  seed: number,
  fitRows?: Uint8Array,
): RegimeModel {
  const settings = table.columns.filter((c) => c.role === 'setting').map((c) => c.name);
  if (settings.length === 0) {
    throw new PrognosError(
      'INVALID_INPUT',
      'regime normalisation needs operating-setting columns; this dataset has none',
    );
  }
  const rows = maskedRows(table.rowCount, fitRows);
  if (rows.length === 0) throw new PrognosError('INVALID_INPUT', 'regime normalisation: no rows to fit on');
  const settingMean: number[] = [];
  const settingStd: number[] = [];
  for (const name of settings) {
    const [m, sd] = meanStd(table.values[columnIndex(table, name)]!, rows);
    settingMean.push(m);
    settingStd.push(sd > 0 ? sd : 1);
  }
  const d = settings.length;
  const points = settingMatrix(table, { settings, settingMean, settingStd });
  const k = Math.max(1, Math.min(clusters, rows.length));
  // regimes numbered in the order of their centroids, as detection numbers them (labels independent of the seeding)
  const centroids = kmeans(points, d, rows, k, seed).sort((a, b) => {
    for (let s = 0; s < d; s++) if (a[s] !== b[s]) return a[s]! - b[s]!;
    return 0;
  });
  return withSensorStats(table, sensors, { settings, settingMean, settingStd, centroids }, points, rows);
}

/**
 * The regime model of regimes detected at import or on the training units (src/main/core/data/regimes.ts):
 * the same assignment rule (nearest centroid, each setting divided by its scale) with the sensors'
 * per-regime means and stds fitted on the rows where `fitRows` is 1.
 */
export function regimeModelFromDetected(
  table: FleetTable,
  sensors: readonly string[],
  detected: Pick<DatasetRegimes, 'settings' | 'scale' | 'centroids'>,
  fitRows?: Uint8Array,
): RegimeModel {
  if (detected.settings.length === 0) {
    throw new PrognosError('INVALID_INPUT', 'regime normalisation: the detected regimes use no operating setting');
  }
  const rows = maskedRows(table.rowCount, fitRows);
  if (rows.length === 0) throw new PrognosError('INVALID_INPUT', 'regime normalisation: no rows to fit on');
  const settings = [...detected.settings];
  const settingMean = settings.map(() => 0);
  const settingStd = [...detected.scale];
  const points = settingMatrix(table, { settings, settingMean, settingStd });
  const centroids = detected.centroids.map((c) => Float64Array.from(c, (v, j) => v / settingStd[j]!));
  return withSensorStats(table, sensors, { settings, settingMean, settingStd, centroids }, points, rows);
}

function withSensorStats(
  table: FleetTable,
  sensors: readonly string[],
  base: { settings: string[]; settingMean: number[]; settingStd: number[]; centroids: Float64Array[] },
  points: Float64Array,
  rows: Int32Array,
): RegimeModel {
  const { settings, settingMean, settingStd, centroids } = base;
  const d = settings.length;
  const k = centroids.length;
  const regimeOf = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) regimeOf[r] = nearest(points, d, rows[r]!, centroids);

  const sensorMean: number[][] = centroids.map(() => []);
  const sensorStd: number[][] = centroids.map(() => []);
  for (const name of sensors) {
    const col = table.values[columnIndex(table, name)]!;
    const [gm, gsd] = meanStd(col, rows);
    const sum = new Float64Array(k);
    const cnt = new Float64Array(k);
    for (let r = 0; r < rows.length; r++) {
      sum[regimeOf[r]!]! += col[rows[r]!]!;
      cnt[regimeOf[r]!]!++;
    }
    const ss = new Float64Array(k);
    for (let r = 0; r < rows.length; r++) {
      const c = regimeOf[r]!;
      const dv = col[rows[r]!]! - sum[c]! / cnt[c]!;
      ss[c]! += dv * dv;
    }
    for (let c = 0; c < k; c++) {
      if (cnt[c]! > 0) {
        const sd = Math.sqrt(ss[c]! / cnt[c]!);
        sensorMean[c]!.push(sum[c]! / cnt[c]!);
        sensorStd[c]!.push(sd > 0 ? sd : 1);
      } else {
        sensorMean[c]!.push(gm);
        sensorStd[c]!.push(gsd > 0 ? gsd : 1);
      }
    }
  }
  return {
    settings,
    settingMean,
    settingStd,
    centroids: centroids.map((c) => Array.from(c)),
    sensors: [...sensors],
    sensorMean,
    sensorStd,
  };
}

/** Per-regime standardised copy of each modelled sensor, by name. */
export function normaliseSensors(table: FleetTable, model: RegimeModel): Map<string, Float64Array> {
  const regimes = assignRegimes(table, model);
  const out = new Map<string, Float64Array>();
  model.sensors.forEach((name, s) => {
    const col = table.values[columnIndex(table, name)]!;
    const norm = new Float64Array(table.rowCount);
    for (let i = 0; i < table.rowCount; i++) {
      const c = regimes[i]!;
      norm[i] = (col[i]! - model.sensorMean[c]![s]!) / model.sensorStd[c]![s]!;
    }
    out.set(name, norm);
  });
  return out;
}

function meanStd(col: Float64Array, rows: Int32Array): [number, number] {
  let sum = 0;
  for (let r = 0; r < rows.length; r++) sum += col[rows[r]!]!;
  const m = sum / rows.length;
  let ss = 0;
  for (let r = 0; r < rows.length; r++) {
    const dv = col[rows[r]!]! - m;
    ss += dv * dv;
  }
  return [m, Math.sqrt(ss / rows.length)];
}
