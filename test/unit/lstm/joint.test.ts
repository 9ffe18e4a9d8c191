/**
 * LSTM `joint` mode: the classifier and the RUL fraction trained together on one network (two
 * dense outputs on the shared attention context). Its loss and gradients must be exactly those of
 * the two single-output models that share the trunk (sum of the losses, sum of the trunk gradients,
 * each dense column its own model's gradient) on every implementation; training learns both
 * targets, gives the same model on one or two threads, and refuses missing or bad fractions.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/main/core/split';
import { PrognosError } from '../../../src/shared/errors';
import {
  LstmModel,
  selectBackend,
  trainLstm,
  type LabelledWindows,
  type LstmArchitecture,
  type LstmParamsInput,
  type LstmRuntime,
} from '../../../src/main/core/models/lstm';
import { allRuntimes, gaussian, maxAbsDiff, timeMajor } from './helpers';

let runtimes: [string, LstmRuntime][] = [];

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
  runtimes = allRuntimes();
});

/** Degradation windows ending at life fraction t: label 1 when t > 0.75, fraction min(1, (1 − t) / 0.6). */
function jointWindows(n: number, length: number, seed: number): LabelledWindows & { fractions: Float32Array } {
  const features = 3;
  const data = gaussian(n * length * features, seed);
  const labels = new Uint8Array(n);
  const fractions = new Float32Array(n);
  const rng = createRng(seed + 1);
  for (let k = 0; k < n; k++) {
    const t = rng();
    labels[k] = t > 0.75 ? 1 : 0;
    fractions[k] = Math.min(1, (1 - t) / 0.6);
    for (let s = 0; s < length; s++) {
      const ts = Math.max(0, t - (length - 1 - s) * 0.02);
      const o = (k * length + s) * features;
      data[o] = Math.exp(3 * (ts - 1)) + 0.05 * data[o]!;
      data[o + 1] = ts * ts + 0.1 * data[o + 1]!;
    }
  }
  return { data, n, length, features, labels, fractions };
}

describe('two dense outputs on one network', () => {
  const arch: LstmArchitecture = { features: 4, length: 6, units1: 8, units2: 8, attentionUnits: 3, dropout: 0.2, outputs: 2 };
  const B = 5;

  it('has the loss and gradients of the two single-output models that share its trunk, on every implementation', () => {
    const joint = LstmModel.create(arch, 5);
    const weights = joint.weightArrays().map((a, i) => (i === 10 ? Float32Array.from([0.2, -0.3]) : a));
    joint.setWeightArrays(weights);
    // dense kernel [units2, 2]: column o is output o
    const column = (o: number): Float32Array => Float32Array.from({ length: arch.units2 }, (_, k) => weights[9]![k * 2 + o]!);
    const single = [0, 1].map((o) => {
      const m = LstmModel.create({ ...arch, outputs: undefined }, 5);
      m.setWeightArrays([...weights.slice(0, 9), column(o), weights[10]!.slice(o, o + 1)]);
      return m;
    });
    const xs = gaussian(B * arch.length * arch.features, 31);
    const x = timeMajor(tf.tensor3d(xs, [B, arch.length, arch.features]));
    const y0 = [1, 0, 0, 1, 1];
    const y1 = [0.1, 0.8, 0.55, 0.2, 0.05];
    const w0 = [0.5, 0.1, 0.1, 0.5, 0.5];
    const w1 = [0.2, 0.2, 0.2, 0.2, 0.2];
    const mask = tf.tensor2d(
      Array.from({ length: B * arch.units2 }, (_, i) => (i % 5 === 2 ? 0 : 1.25)),
      [B, arch.units2],
    );
    const inter = (a: number[], b: number[]): tf.Tensor => tf.tensor1d(a.flatMap((v, i) => [v, b[i]!]));
    for (const [name, rt] of runtimes) {
      const j = rt.lossAndGrads(joint.variables(), { x, y: inter(y0, y1), w: inter(w0, w1), mask });
      const a = rt.lossAndGrads(single[0]!.variables(), { x, y: tf.tensor1d(y0), w: tf.tensor1d(w0), mask });
      const b = rt.lossAndGrads(single[1]!.variables(), { x, y: tf.tensor1d(y1), w: tf.tensor1d(w1), mask });
      expect(Math.abs(j.loss - (a.loss + b.loss)), `${name} loss`).toBeLessThanOrEqual(1e-5);
      for (let i = 0; i < 9; i++) {
        const sum = a.grads[i]!.map((v, k) => v + b.grads[i]![k]!);
        const scale = maxAbsDiff(sum, new Float32Array(sum.length));
        expect(scale, `non-trivial gradient ${i}`).toBeGreaterThan(1e-5);
        expect(maxAbsDiff(j.grads[i]!, sum) / scale, `${name} trunk gradient ${i}`).toBeLessThanOrEqual(1e-4);
      }
      const dk = Float32Array.from({ length: 2 * arch.units2 }, (_, q) => (q % 2 === 0 ? a : b).grads[9]![q >> 1]!);
      expect(maxAbsDiff(j.grads[9]!, dk), `${name} dense kernel gradient`).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(j.grads[10]!, [a.grads[10]![0]!, b.grads[10]![0]!]), `${name} dense bias gradient`).toBeLessThanOrEqual(1e-6);
    }
    // prediction: two values per window, each the single-output model's
    const w = { data: xs, n: B, length: arch.length, features: arch.features };
    const p = joint.predict(w);
    expect(p).toHaveLength(2 * B);
    const p0 = single[0]!.predict(w);
    const p1 = single[1]!.predict(w);
    expect(maxAbsDiff(p.filter((_, i) => i % 2 === 0), p0)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(p.filter((_, i) => i % 2 === 1), p1)).toBeLessThanOrEqual(1e-6);
    // the serialized form keeps the second output
    const { json, weights: bytes } = joint.serialize();
    expect(json.architecture.outputs).toBe(2);
    const back = LstmModel.load(json, bytes);
    expect(Array.from(back.predict(w))).toEqual(Array.from(p));
    for (const m of [joint, back, ...single]) m.dispose();
  });
});

const small: LstmParamsInput = {
  units1: 8,
  units2: 8,
  attentionUnits: 4,
  dropout: 0.1,
  batchSize: 32,
  epochs: 25,
  patience: 4,
  learningRate: 0.01,
  seed: 7,
};

async function rejection(p: Promise<unknown>): Promise<PrognosError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrognosError);
  return e as PrognosError;
}

describe('trainLstm target: joint', () => {
  const train = jointWindows(480, 8, 21);
  const valid = jointWindows(160, 8, 22);

  it('learns the class and the fraction together', async () => {
    const r = await trainLstm(train, valid, small, { threads: 1, target: 'joint' });
    expect(r.target).toBe('joint');
    expect(r.model.architecture.outputs).toBe(2);
    const p = r.model.predict(valid);
    expect(p).toHaveLength(2 * valid.n);
    let correct = 0;
    let se = 0;
    let seMean = 0;
    let mean = 0;
    for (let i = 0; i < valid.n; i++) mean += valid.fractions[i]! / valid.n;
    for (let i = 0; i < valid.n; i++) {
      if (p[2 * i]! > 0.5 === (valid.labels[i] === 1)) correct++;
      se += (p[2 * i + 1]! - valid.fractions[i]!) ** 2;
      seMean += (mean - valid.fractions[i]!) ** 2;
    }
    // 25 % of the windows are positive: predicting one class gets 75 % at best
    expect(correct / valid.n).toBeGreaterThan(0.9);
    expect(Math.sqrt(se / valid.n)).toBeLessThan(0.5 * Math.sqrt(seMean / valid.n));
    r.model.dispose();
  });

  it('computes the same model on two threads', async () => {
    const tr = jointWindows(128, 8, 23);
    const tiny = { ...small, epochs: 2, patience: 0 };
    const one = await trainLstm(tr, valid, tiny, { threads: 1, target: 'joint' });
    const two = await trainLstm(tr, valid, tiny, { threads: 2, target: 'joint' });
    expect(two.threads).toBe(2);
    expect(Array.from(two.model.serialize().weights)).toEqual(Array.from(one.model.serialize().weights));
    expect(two.history.map((h) => h.valLoss)).toEqual(one.history.map((h) => h.valLoss));
    for (const r of [one, two]) r.model.dispose();
  });

  it('refuses missing or bad fractions, naming the set and the window', async () => {
    const { fractions: _unused, ...noFractions } = valid;
    expect(_unused).toBeDefined();
    const e = await rejection(trainLstm(train, noFractions, small, { target: 'joint' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('the validation set needs one fraction per window for joint training (160 windows, 0 fractions)');
    for (const bad of [1.5, -0.01, Number.NaN]) {
      const fractions = Float32Array.from(train.fractions);
      fractions[9] = bad;
      const r = await rejection(trainLstm({ ...train, fractions }, valid, small, { target: 'joint' }));
      expect(r.message).toBe(`the training fraction of window 9 is ${String(Math.fround(bad))}, expected a number in [0, 1]`);
    }
  });
});
