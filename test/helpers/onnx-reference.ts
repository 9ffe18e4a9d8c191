/**
 * Reference computations for the ONNX export tests, written straight from the model definitions
 * (Keras gate order, no reordering) so they check the exported graphs independently.
 */
import { membersOf, type KerasLstmLayer, type LstmAttentionWeights, type LstmMembers, type WeightTensor } from '../../src/main/core/export/lstm-onnx';
import { createRng } from '../../src/main/core/split';

function tensor(shape: number[], rng: () => number, scale: number): WeightTensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng() * 2 - 1) * scale;
  return { shape, data };
}

function layer(inputs: number, units: number, rng: () => number): KerasLstmLayer {
  return {
    kernel: tensor([inputs, 4 * units], rng, 0.5),
    recurrentKernel: tensor([units, 4 * units], rng, 0.5),
    bias: tensor([4 * units], rng, 0.3),
  };
}

/** Random Keras-layout weights (float32 values) for the LSTM-with-attention model. */
export function randomLstmWeights(features: number, units1: number, units2: number, attention: number, seed: number): LstmAttentionWeights {
  const rng = createRng(seed);
  return {
    lstm1: layer(features, units1, rng),
    lstm2: layer(units1, units2, rng),
    attention: { W: tensor([units2, attention], rng, 0.5), b: tensor([attention], rng, 0.2), v: tensor([attention, 1], rng, 0.8) },
    dense: { kernel: tensor([units2, 1], rng, 0.8), bias: tensor([1], rng, 0.2) },
  };
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Keras LSTM over one sequence xs[t][k] with gates i, f, c, o; returns every hidden state. */
function kerasLstm(xs: number[][], l: KerasLstmLayer): number[][] {
  const u = l.recurrentKernel.shape[0]!;
  const inputs = l.kernel.shape[0]!;
  const K = l.kernel.data;
  const U = l.recurrentKernel.data;
  const B = l.bias.data;
  let h = new Array<number>(u).fill(0);
  let c = new Array<number>(u).fill(0);
  const out: number[][] = [];
  for (const x of xs) {
    const z = new Array<number>(4 * u);
    for (let col = 0; col < 4 * u; col++) {
      let s = B[col]!;
      for (let k = 0; k < inputs; k++) s += x[k]! * K[k * 4 * u + col]!;
      for (let k = 0; k < u; k++) s += h[k]! * U[k * 4 * u + col]!;
      z[col] = s;
    }
    const nh = new Array<number>(u);
    const nc = new Array<number>(u);
    for (let j = 0; j < u; j++) {
      const i = sigmoid(z[j]!);
      const f = sigmoid(z[u + j]!);
      const g = Math.tanh(z[2 * u + j]!);
      const o = sigmoid(z[3 * u + j]!);
      nc[j] = f * c[j]! + i * g;
      nh[j] = o * Math.tanh(nc[j]!);
    }
    h = nh;
    c = nc;
    out.push(h);
  }
  return out;
}

/** Probability for one window [T][F] (float64 arithmetic). */
export function lstmReferenceForward(w: LstmAttentionWeights, window: number[][]): number {
  const H = kerasLstm(kerasLstm(window, w.lstm1), w.lstm2);
  const u2 = w.lstm2.recurrentKernel.shape[0]!;
  const a = w.attention.W.shape[1]!;
  const scores = H.map((h) => {
    let s = 0;
    for (let q = 0; q < a; q++) {
      let p = w.attention.b.data[q]!;
      for (let k = 0; k < u2; k++) p += h[k]! * w.attention.W.data[k * a + q]!;
      s += Math.tanh(p) * w.attention.v.data[q]!;
    }
    return s;
  });
  const mx = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - mx));
  const z = e.reduce((x, y) => x + y, 0);
  let logit = w.dense.bias.data[0]!;
  for (let k = 0; k < u2; k++) {
    let ctx = 0;
    for (let t = 0; t < H.length; t++) ctx += (e[t]! / z) * H[t]![k]!;
    logit += ctx * w.dense.kernel.data[k]!;
  }
  return sigmoid(logit);
}

/** Probabilities for windows stored [n, T, F] row-major (several networks: the mean of theirs). */
export function lstmReferenceBatch(w: LstmMembers, data: ArrayLike<number>, n: number, T: number, F: number): Float64Array {
  const nets = membersOf(w);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const win: number[][] = [];
    for (let t = 0; t < T; t++) {
      const row: number[] = [];
      for (let f = 0; f < F; f++) row.push(data[(i * T + t) * F + f]!);
      win.push(row);
    }
    out[i] = nets.reduce((sum, net) => sum + lstmReferenceForward(net, win), 0) / nets.length;
  }
  return out;
}
