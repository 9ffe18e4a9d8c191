import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../../src/main/core/split';
import { createLstmRuntime, type LabelledWindows, type LstmRuntime } from '../../../src/main/core/models/lstm';
import { lstmSimdModuleBytes } from '../../../src/main/core/models/lstm/simd';

/** Deterministic standard-normal samples. */
export function gaussian(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rng(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  }
  return out;
}

/** Windows whose label depends on the trend of feature 0 over the window (learnable by an LSTM). */
export function toyWindows(n: number, length: number, features: number, seed: number): LabelledWindows {
  const data = gaussian(n * length * features, seed);
  const labels = new Uint8Array(n);
  const rng = createRng(seed + 1);
  for (let k = 0; k < n; k++) {
    const up = rng() < 0.35;
    labels[k] = up ? 1 : 0;
    for (let t = 0; t < length; t++) {
      const o = (k * length + t) * features;
      data[o] = data[o]! * 0.3 + (up ? (2 * t) / length : 0);
    }
  }
  return { data, n, length, features, labels };
}

/** Batch-major [B, T, F] → time-major [T, B, F]. */
export function timeMajor(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [1, 0, 2]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Every LSTM implementation the parity checks cover: fused with SIMD passes, fused with JS passes, composite tf ops. */
export function allRuntimes(): [string, LstmRuntime][] {
  const fused = createLstmRuntime(tf, { simd: lstmSimdModuleBytes() });
  if (!fused.fused()) throw new Error('the fused kernels are not available (is the wasm backend selected?)');
  return [
    ['fused (SIMD passes)', fused],
    ['fused (JS passes)', createLstmRuntime(tf)],
    ['composite', createLstmRuntime(tf, { fused: false })],
  ];
}
