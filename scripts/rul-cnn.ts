/**
 * A 1-D convolutional RUL regressor over a window of features, for `choose-rul-recipe.ts` only (it is
 * not in the product): the published FD001 CNN shape (four convolutions along time, 'same' padding,
 * tanh; a one-filter convolution; flatten; dropout; a dense layer of 100 tanh; a linear output on
 * min(RUL, cap) / cap), trained with Adam on mean squared error with early stopping on the validation
 * rows. Convolutions are written as shifted slices concatenated and one matrix product (im2col), so
 * every op has a gradient on the WebAssembly backend, which has no Conv2DBackpropFilter kernel.
 */
import * as tf from '@tensorflow/tfjs';

export interface CnnParams {
  filters: number;
  kernel: number;
  layers: number;
  dense: number;
  dropout: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  patience: number;
  seed: number;
}

export const CNN_DEFAULTS: Omit<CnnParams, 'seed'> = { filters: 10, kernel: 10, layers: 3, dense: 100, dropout: 0.5, learningRate: 1e-3, batchSize: 256, epochs: 60, patience: 8 };

interface Conv {
  w: tf.Variable;
  b: tf.Variable;
  k: number;
}

function glorot(shape: [number, number], fanIn: number, fanOut: number, seed: number): tf.Variable {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -lim, lim, 'float32', seed));
}

/** [B, T, C] → [B, T, F] ('same' padding, stride 1) */
function conv(x: tf.Tensor3D, c: Conv): tf.Tensor3D {
  const [b, t, ch] = x.shape;
  const left = Math.floor((c.k - 1) / 2);
  const padded = tf.pad(x, [[0, 0], [left, c.k - 1 - left], [0, 0]]);
  const cols = tf.concat(Array.from({ length: c.k }, (_, j) => tf.slice(padded, [0, j, 0], [b, t, ch])), 2);
  const out = tf.add(tf.matMul(tf.reshape(cols, [b * t, c.k * ch]), c.w), c.b);
  return tf.reshape(out, [b, t, c.w.shape[1]!]);
}

export interface CnnModel {
  predict(data: Float32Array, n: number): Float32Array;
  dispose(): void;
  bestEpoch: number;
  epochs: number;
}

/**
 * `train` / `valid`: windows [n, T, C] row-major with targets in [0, 1]; `validWeights` optional.
 */
export function trainCnn(
  train: { data: Float32Array; n: number; length: number; features: number; labels: Float32Array },
  valid: { data: Float32Array; n: number; labels: Float32Array; weights?: ArrayLike<number> },
  p: CnnParams,
): CnnModel {
  const T = train.length;
  const C = train.features;
  let seed = p.seed * 1000 + 1;
  const convs: Conv[] = [];
  let inCh = C;
  for (let l = 0; l < p.layers; l++) {
    convs.push({ w: glorot([p.kernel * inCh, p.filters], p.kernel * inCh, p.filters, seed++), b: tf.variable(tf.zeros([p.filters])), k: p.kernel });
    inCh = p.filters;
  }
  convs.push({ w: glorot([3 * inCh, 1], 3 * inCh, 1, seed++), b: tf.variable(tf.zeros([1])), k: 3 });
  const w1 = glorot([T, p.dense], T, p.dense, seed++);
  const b1 = tf.variable(tf.zeros([p.dense]));
  const w2 = glorot([p.dense, 1], p.dense, 1, seed++);
  const b2 = tf.variable(tf.fill([1], 0.5));
  const vars = [...convs.flatMap((c) => [c.w, c.b]), w1, b1, w2, b2];
  const forward = (x: tf.Tensor3D, training: boolean): tf.Tensor1D => {
    let h: tf.Tensor3D = x;
    for (const c of convs) h = tf.tanh(conv(h, c));
    let f: tf.Tensor2D = tf.reshape(h, [x.shape[0], T]);
    if (training && p.dropout > 0) f = tf.dropout(f, p.dropout, undefined, seed++) as tf.Tensor2D;
    const d = tf.tanh(tf.add(tf.matMul(f, w1), b1));
    return tf.reshape(tf.add(tf.matMul(d, w2), b2), [x.shape[0]]);
  };
  const predictWith = (data: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(n);
    const step = 2048;
    for (let s = 0; s < n; s += step) {
      const m = Math.min(step, n - s);
      const y = tf.tidy(() => forward(tf.tensor3d(data.subarray(s * T * C, (s + m) * T * C), [m, T, C]), false));
      out.set(y.dataSync(), s);
      y.dispose();
    }
    return out;
  };
  const opt = tf.train.adam(p.learningRate);
  // a seeded shuffle per epoch
  let state = (p.seed * 2654435761) >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const vw = valid.weights ?? new Float64Array(valid.n).fill(1);
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] = vars.map((v) => v.dataSync() as Float32Array).map((a) => a.slice());
  let epoch = 0;
  for (; epoch < p.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let s = 0; s < train.n; s += p.batchSize) {
      const m = Math.min(p.batchSize, train.n - s);
      const xb = new Float32Array(m * T * C);
      const yb = new Float32Array(m);
      for (let k = 0; k < m; k++) {
        const i = order[s + k]!;
        xb.set(train.data.subarray(i * T * C, (i + 1) * T * C), k * T * C);
        yb[k] = train.labels[i]!;
      }
      const loss = opt.minimize(() => tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(forward(tf.tensor3d(xb, [m, T, C]), true), tf.tensor1d(yb))))), true, vars);
      loss?.dispose();
    }
    const pv = predictWith(valid.data, valid.n);
    let se = 0;
    let tw = 0;
    for (let i = 0; i < valid.n; i++) {
      se += vw[i]! * (pv[i]! - valid.labels[i]!) ** 2;
      tw += vw[i]!;
    }
    const rmse = Math.sqrt(se / tw);
    if (rmse < best) {
      best = rmse;
      bestEpoch = epoch + 1;
      bestWeights = vars.map((v) => (v.dataSync() as Float32Array).slice());
    } else if (epoch + 1 - bestEpoch >= p.patience) {
      epoch++;
      break;
    }
  }
  vars.forEach((v, i) => v.assign(tf.tensor(bestWeights[i]!, v.shape)));
  opt.dispose();
  return {
    predict: (data, n) => predictWith(data, n).map((v) => Math.min(1, Math.max(0, v))),
    dispose: () => vars.forEach((v) => v.dispose()),
    bestEpoch,
    epochs: epoch,
  };
}
