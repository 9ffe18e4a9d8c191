/**
 * Seeded initial weights, as Keras initialises the same layers: Glorot-uniform kernels, orthogonal
 * recurrent kernels, zero biases with the forget-gate bias at 1 (unit_forget_bias). Plain
 * JavaScript with the project's seeded PRNG, so the start point does not depend on the backend.
 */
import { createRng } from '../../split';
import type { NetDims } from './runtime';

/** Independent PRNG streams derived from one seed. */
export function rngStream(seed: number, stream: number): () => number {
  return createRng((Math.trunc(seed) * 1_000_003 + stream * 7_919) | 0);
}

function glorotUniform(fanIn: number, fanOut: number, rng: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng() - 1) * limit;
  return out;
}

function normal(rng: () => number): number {
  let u = 0;
  while (u <= Number.MIN_VALUE) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns: QR of a Gaussian matrix
 * with the signs fixed so that R has a positive diagonal (modified Gram–Schmidt, float64).
 */
export function orthogonal(rows: number, cols: number, rng: () => number): Float32Array {
  const n = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  // k column vectors of length n
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = normal(rng);
    for (const p of q) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += p[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i] = v[i]! - dot * p[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] = v[i]! / norm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows ≤ cols: row r is vector r; otherwise column c is vector c
      out[r * cols + c] = rows <= cols ? q[r]![c]! : q[c]![r]!;
    }
  }
  return out;
}

function lstmBias(units: number): Float32Array {
  const b = new Float32Array(4 * units);
  b.fill(1, units, 2 * units);
  return b;
}

/** Initial weights in WEIGHT_ORDER. */
export function initialWeights(dims: NetDims, seed: number): Float32Array[] {
  const rng = rngStream(seed, 1);
  const { features, units1, units2, attentionUnits } = dims;
  const outputs = dims.outputs ?? 1;
  return [
    glorotUniform(features, 4 * units1, rng),
    orthogonal(units1, 4 * units1, rng),
    lstmBias(units1),
    glorotUniform(units1, 4 * units2, rng),
    orthogonal(units2, 4 * units2, rng),
    lstmBias(units2),
    glorotUniform(units2, attentionUnits, rng),
    new Float32Array(attentionUnits),
    glorotUniform(attentionUnits, 1, rng),
    glorotUniform(units2, outputs, rng),
    new Float32Array(outputs),
  ];
}

/** Shapes in WEIGHT_ORDER. */
export function weightShapes(dims: NetDims): number[][] {
  const { features, units1, units2, attentionUnits } = dims;
  const outputs = dims.outputs ?? 1;
  return [
    [features, 4 * units1],
    [units1, 4 * units1],
    [4 * units1],
    [units1, 4 * units2],
    [units2, 4 * units2],
    [4 * units2],
    [units2, attentionUnits],
    [attentionUnits],
    [attentionUnits],
    [units2, outputs],
    [outputs],
  ];
}
