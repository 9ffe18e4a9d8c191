/**
 * Multivariate drift by data reconstruction with PCA (NannyML's method): standardise the columns on
 * the reference, keep the principal components that explain `varianceKept` of the variance,
 * project each row onto them and back, and measure the Euclidean distance between the standardised
 * row and its reconstruction. Rows like the reference reconstruct well; rows from a changed
 * relationship between the columns do not.
 *
 * The model is plain JSON (numbers and arrays) so it can be stored in a report or carried by a bundle.
 */

export interface PcaModel {
  /** per column: the reference mean (missing values left out) */
  mean: number[];
  /** per column: the reference population std (ddof 0); 1 where the column is constant */
  scale: number[];
  /** k × p: the kept components (unit vectors in the standardised space), largest variance first */
  components: number[][];
  k: number;
  /** share of the standardised variance that the k kept components explain */
  explained: number;
  /** each kept component's share of the variance */
  explainedRatios: number[];
  /** the share asked for */
  varianceKept: number;
}

export interface PcaOptions {
  /** keep the fewest components whose cumulative share of the variance exceeds this (default 0.65, as NannyML) */
  varianceKept?: number;
}

/**
 * Fits the standardisation and the components on the reference rows (`rows`, default every row).
 * A missing value (NaN) is imputed with the column mean, i.e. 0 once standardised (NannyML imputes
 * the mean too). Components are sign-normalised (the entry of largest magnitude is positive) so the
 * same data always gives the same model.
 */
export function fitPca(columns: readonly Float32Array[], rows?: Int32Array, options: PcaOptions = {}): PcaModel {
  const varianceKept = options.varianceKept ?? 0.65;
  if (!(varianceKept > 0 && varianceKept <= 1))
    throw new RangeError(`fitPca: varianceKept must be in (0, 1], got ${varianceKept}`);
  const p = columns.length;
  if (p === 0) throw new RangeError('fitPca: no columns');
  const length = columns[0]!.length;
  for (const c of columns) if (c.length !== length) throw new RangeError('fitPca: columns of different lengths');
  const count = rows === undefined ? length : rows.length;
  if (count < 2) throw new RangeError(`fitPca: ${count} rows (at least 2 are needed)`);
  const rowAt = (r: number): number => (rows === undefined ? r : rows[r]!);

  const mean = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(1);
  for (let j = 0; j < p; j++) {
    const col = columns[j]!;
    let s = 0;
    let n = 0;
    for (let r = 0; r < count; r++) {
      const v = col[rowAt(r)]!;
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
    const m = n === 0 ? 0 : s / n;
    let ss = 0;
    for (let r = 0; r < count; r++) {
      const v = col[rowAt(r)]!;
      if (Number.isFinite(v)) ss += (v - m) * (v - m);
    }
    const sd = n === 0 ? 0 : Math.sqrt(ss / n);
    mean[j] = m;
    scale[j] = sd > 0 ? sd : 1;
  }

  // covariance of the standardised rows (p × p), accumulated row by row
  const cov = new Float64Array(p * p);
  const z = new Float64Array(p);
  for (let r = 0; r < count; r++) {
    const row = rowAt(r);
    standardise(columns, row, mean, scale, z);
    for (let a = 0; a < p; a++) {
      const za = z[a]!;
      if (za === 0) continue;
      const o = a * p;
      for (let b = a; b < p; b++) cov[o + b]! += za * z[b]!;
    }
  }
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const v = cov[a * p + b]! / count;
      cov[a * p + b] = v;
      cov[b * p + a] = v;
    }
  }

  const { values, vectors } = symmetricEigen(cov, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  let total = 0;
  for (let i = 0; i < p; i++) total += Math.max(0, values[i]!);
  const ratios = order.map((i) => (total > 0 ? Math.max(0, values[i]!) / total : 0));
  // as scikit-learn's PCA(n_components=share): the first k whose cumulative share exceeds it
  let k = 0;
  let cumulative = 0;
  while (k < p) {
    cumulative += ratios[k]!;
    k++;
    if (cumulative > varianceKept) break;
  }
  const components: number[][] = [];
  for (let c = 0; c < k; c++) {
    const i = order[c]!;
    const v: number[] = [];
    for (let j = 0; j < p; j++) v.push(vectors[j * p + i]!);
    let big = 0;
    for (let j = 1; j < p; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!) + 1e-12) big = j;
    const sign = v[big]! < 0 ? -1 : 1;
    components.push(v.map((x) => x * sign + 0));
  }
  const explainedRatios = ratios.slice(0, k);
  return {
    mean,
    scale,
    components,
    k,
    explained: explainedRatios.reduce((a, b) => a + b, 0),
    explainedRatios,
    varianceKept,
  };
}

function standardise(
  columns: readonly Float32Array[],
  row: number,
  mean: readonly number[],
  scale: readonly number[],
  out: Float64Array,
): void {
  for (let j = 0; j < columns.length; j++) {
    const v = columns[j]![row]!;
    out[j] = Number.isFinite(v) ? (v - mean[j]!) / scale[j]! : 0;
  }
}

/**
 * Per row (`rows`, default every row): the Euclidean distance between the row standardised with the
 * model's reference mean and scale and its reconstruction from the kept components.
 */
export function reconstructionError(
  model: PcaModel,
  columns: readonly Float32Array[],
  rows?: Int32Array,
): Float64Array {
  const p = model.mean.length;
  if (columns.length !== p) throw new RangeError(`reconstructionError: ${columns.length} columns for a model of ${p}`);
  const length = columns[0]?.length ?? 0;
  for (const c of columns)
    if (c.length !== length) throw new RangeError('reconstructionError: columns of different lengths');
  const count = rows === undefined ? length : rows.length;
  const k = model.k;
  const w = new Float64Array(k * p);
  for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) w[c * p + j] = model.components[c]![j]!;
  const mean = Float64Array.from(model.mean);
  const invScale = Float64Array.from(model.scale, (s) => 1 / s);
  const z = new Float64Array(p);
  const t = new Float64Array(k);
  const out = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const row = rows === undefined ? r : rows[r]!;
    for (let j = 0; j < p; j++) {
      const v = columns[j]![row]!;
      z[j] = Number.isFinite(v) ? (v - mean[j]!) * invScale[j]! : 0;
    }
    for (let c = 0; c < k; c++) {
      let s = 0;
      const o = c * p;
      for (let j = 0; j < p; j++) s += w[o + j]! * z[j]!;
      t[c] = s;
    }
    let err = 0;
    for (let j = 0; j < p; j++) {
      let rec = 0;
      for (let c = 0; c < k; c++) rec += t[c]! * w[c * p + j]!;
      const d = z[j]! - rec;
      err += d * d;
    }
    out[r] = Math.sqrt(err);
  }
  return out;
}

/**
 * Eigenvalues and eigenvectors of a symmetric p × p matrix (row-major) by cyclic Jacobi rotations:
 * `vectors[j * p + i]` is entry j of the eigenvector of `values[i]`.
 */
export function symmetricEigen(matrix: Float64Array, p: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i * p + i]! * a[i * p + i]!;
      for (let j = i + 1; j < p; j++) off += a[i * p + j]! * a[i * p + j]!;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j]!;
        if (Math.abs(aij) < 1e-300) continue;
        const aii = a[i * p + i]!;
        const ajj = a[j * p + j]!;
        const theta = (ajj - aii) / (2 * aij);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let r = 0; r < p; r++) {
          const ari = a[r * p + i]!;
          const arj = a[r * p + j]!;
          a[r * p + i] = c * ari - s * arj;
          a[r * p + j] = s * ari + c * arj;
        }
        for (let r = 0; r < p; r++) {
          const air = a[i * p + r]!;
          const ajr = a[j * p + r]!;
          a[i * p + r] = c * air - s * ajr;
          a[j * p + r] = s * air + c * ajr;
        }
        for (let r = 0; r < p; r++) {
          const vri = v[r * p + i]!;
          const vrj = v[r * p + j]!;
          v[r * p + i] = c * vri - s * vrj;
          v[r * p + j] = s * vri + c * vrj;
        }
      }
    }
  }
  const values = new Float64Array(p);
  for (let i = 0; i < p; i++) values[i] = a[i * p + i]!;
  return { values, vectors: v };
}
