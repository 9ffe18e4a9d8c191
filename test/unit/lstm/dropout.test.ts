/**
 * The dropout path (training mode) of the fast LSTM against tfjs-layers with one fixed mask: the
 * tfjs-layers model's Dropout layer draws its mask from tf.dropout with a seed, and the runtime gets
 * that same mask through its mask input (ShardBatch.mask). Training-mode probabilities, the loss
 * and the gradients of every weight must agree to a tight tolerance, on every implementation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildLayersModel,
  LstmModel,
  selectBackend,
  type LstmArchitecture,
  type LstmRuntime,
} from '../../../src/main/core/models/lstm';
import { allRuntimes, gaussian, maxAbsDiff, timeMajor } from './helpers';

const TOL = 1e-4;
let runtimes: [string, LstmRuntime][] = [];

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
  runtimes = allRuntimes();
});

/** Training-mode probabilities [B] of the runtime with a dropout mask on the attention context. */
function trainingProbabilities(rt: LstmRuntime, ws: readonly tf.Tensor[], x: tf.Tensor, mask: tf.Tensor): Float32Array {
  return tf.tidy(() => {
    const [k1, r1, b1, k2, r2, b2, aW, ab, av, dk, db] = ws as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    const h1 = rt.lstmConstInput(x, k1, r1, b1);
    const h2 = rt.lstm(h1, k2, r2, b2);
    return tf.sigmoid(rt.head(h2, aW, ab, av, dk, db, mask)).dataSync() as Float32Array;
  });
}

describe.each([
  [6, 5],
  [8, 4],
])('dropout in training mode (%i, %i units) vs tfjs-layers with the same fixed mask', (units1, units2) => {
  const arch: LstmArchitecture = { features: 4, length: 7, units1, units2, attentionUnits: 3, dropout: 0.4 };
  const B = 6;
  const SEED = 1234;

  it('matches training-mode probabilities, the loss and the gradients of every weight', () => {
    const model = LstmModel.create(arch, 17);
    const weights = model
      .weightArrays()
      .map((a, i) => (i === 6 || i === 8 ? a.map((v) => v * 4) : i === 7 ? a.map((_, k) => 0.3 * Math.sin(k + 1)) : a));
    model.setWeightArrays(weights);
    const layers = buildLayersModel(arch, { dropoutSeed: SEED });
    layers.setWeights(layers.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape)));
    const x = tf.tensor3d(gaussian(B * arch.length * arch.features, 31), [B, arch.length, arch.features]);
    const y = tf.tensor1d([1, 0, 0, 1, 1, 0]);
    const w = tf.tensor1d([0.5, 0.1, 0.1, 0.5, 0.5, 0.1]);

    // the mask the Dropout layer draws in training mode: tf.dropout of ones with the layer's seed
    const mask = tf.dropout(tf.ones([B, units2]), arch.dropout, undefined, SEED);
    const m = mask.dataSync();
    const keep = 1 - arch.dropout;
    expect(m.every((v) => v === 0 || Math.abs(v - 1 / keep) < 1e-6)).toBe(true);
    expect(
      m.some((v) => v === 0),
      'the mask drops some units',
    ).toBe(true);
    expect(
      m.some((v) => v !== 0),
      'the mask keeps some units',
    ).toBe(true);

    const pTrain = (layers.apply(x, { training: true }) as tf.Tensor).reshape([B]).dataSync();
    const pInfer = (layers.apply(x, { training: false }) as tf.Tensor).reshape([B]).dataSync();
    expect(maxAbsDiff(pTrain, pInfer), 'dropout changes the reference output').toBeGreaterThan(1e-3);

    const vars = layers.trainableWeights.map((v) => v.read() as tf.Variable);
    const ref = tf.variableGrads(() => {
      const p = tf.reshape(layers.apply(x, { training: true }) as tf.Tensor, [B]);
      const bce = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
      return tf.sum<tf.Scalar>(tf.mul(w, bce));
    }, vars);

    // another mask, to show that the comparison sees the mask at all
    const other = tf.tensor2d(
      Float32Array.from(m, (v, i) => (i === m.findIndex((q) => q === 0) ? 1 / keep : v)),
      [B, units2],
    );

    for (const [name, rt] of runtimes) {
      const xt = timeMajor(x);
      const pOurs = trainingProbabilities(rt, model.variables(), xt, mask);
      expect(maxAbsDiff(pOurs, pTrain), `${name} training-mode probabilities`).toBeLessThanOrEqual(TOL);

      const ours = rt.lossAndGrads(model.variables(), { x: xt, y, w, mask });
      expect(Math.abs(ours.loss - ref.value.dataSync()[0]!), `${name} loss`).toBeLessThanOrEqual(TOL);
      vars.forEach((v, i) => {
        const scale = maxAbsDiff(ref.grads[v.name]!.dataSync(), new Float32Array(v.size));
        expect(scale, `non-trivial gradient ${i}`).toBeGreaterThan(1e-4);
        const d = maxAbsDiff(ours.grads[i]!, ref.grads[v.name]!.dataSync());
        expect(d, `${name} gradient ${i} (${v.name})`).toBeLessThanOrEqual(TOL);
        expect(d / scale, `${name} relative error of gradient ${i}`).toBeLessThanOrEqual(1e-3);
      });

      const moved = rt.lossAndGrads(model.variables(), { x: xt, y, w, mask: other });
      const dense = vars.length - 2;
      expect(
        maxAbsDiff(moved.grads[dense]!, ref.grads[vars[dense]!.name]!.dataSync()),
        `${name} sees the mask`,
      ).toBeGreaterThan(10 * TOL);
      xt.dispose();
    }
    tf.dispose([x, y, w, mask, other, ref.value, ...Object.values(ref.grads)]);
    model.dispose();
    layers.dispose();
  });
});
