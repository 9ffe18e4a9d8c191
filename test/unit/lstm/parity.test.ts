/**
 * The fast LSTM path (fused wasm kernels, and the composite tf-op path) against the generic
 * tfjs-layers LSTM and a tfjs-layers model of the whole architecture: forward values and gradients
 * on small random inputs must agree to 1e-4.
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

describe.each([7, 8])('LSTM layer (%i units) vs tf.layers.lstm', (u) => {
  const B = 3;
  const T = 6;
  const nin = 5;

  it('matches forward outputs and gradients (input, kernel, recurrent kernel, bias)', () => {
    expect(
      runtimes[0]![1].lstmInfer(tf.ones([2, 2, 3]), tf.ones([3, 32]), tf.ones([8, 32]), tf.ones([32])).shape,
    ).toEqual([2, 2, 8]);
    expect(runtimes[0]![1].simdActive()).toBe(true);
    const layer = tf.layers.lstm({ units: u, returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = tf.tensor3d(gaussian(B * T * nin, 1), [B, T, nin]);
    layer.apply(x);
    const kernel = tf.tensor2d(gaussian(nin * 4 * u, 2), [nin, 4 * u]).mul(0.4);
    const recurrent = tf.tensor2d(gaussian(u * 4 * u, 3), [u, 4 * u]).mul(0.4);
    const bias = tf.tensor1d(gaussian(4 * u, 4)).mul(0.3);
    layer.setWeights([kernel, recurrent, bias]);
    const R = tf.tensor3d(gaussian(B * T * u, 5), [B, T, u]);

    const generic = layer.apply(x) as tf.Tensor;
    const gx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi) as tf.Tensor, R)))(x);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const gw = tf.variableGrads(() => tf.sum<tf.Scalar>(tf.mul(layer.apply(x) as tf.Tensor, R)), vars);
    const genericGrads = [gx, ...vars.map((v) => gw.grads[v.name]!)];

    for (const [name, rt] of runtimes) {
      const ours = tf.transpose(rt.lstm(timeMajor(x), kernel, recurrent, bias), [1, 0, 2]);
      expect(maxAbsDiff(ours.dataSync(), generic.dataSync()), `${name} forward`).toBeLessThanOrEqual(TOL);
      const infer = tf.transpose(rt.lstmInfer(timeMajor(x), kernel, recurrent, bias), [1, 0, 2]);
      expect(maxAbsDiff(infer.dataSync(), generic.dataSync()), `${name} inference`).toBeLessThanOrEqual(TOL);
      const grads = tf.grads((xi: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.transpose(rt.lstm(timeMajor(xi), k, r, b), [1, 0, 2]), R)),
      )([x, kernel, recurrent, bias]);
      ['input', 'kernel', 'recurrent kernel', 'bias'].forEach((what, i) => {
        const scale = maxAbsDiff(genericGrads[i]!.dataSync(), new Float32Array(genericGrads[i]!.size));
        expect(scale, `non-trivial ${what} gradient`).toBeGreaterThan(1e-2);
        const d = maxAbsDiff(grads[i]!.dataSync(), genericGrads[i]!.dataSync());
        expect(d, `${name} gradient of the ${what}`).toBeLessThanOrEqual(TOL);
        expect(d / scale, `${name} relative error of the ${what} gradient`).toBeLessThanOrEqual(1e-4);
      });
    }
  });
});

describe.each([
  [6, 5],
  [8, 4],
])('whole model (%i, %i units) vs a tfjs-layers model with the same weights', (units1, units2) => {
  const arch: LstmArchitecture = { features: 4, length: 7, units1, units2, attentionUnits: 3, dropout: 0.2 };
  const B = 5;

  it('matches probabilities and the gradients of every weight', () => {
    const model = LstmModel.create(arch, 11);
    // sharper attention than the initial weights give, so that its gradients are not tiny
    const weights = model
      .weightArrays()
      .map((a, i) => (i === 6 || i === 8 ? a.map((v) => v * 4) : i === 7 ? a.map((_, k) => 0.3 * Math.sin(k + 1)) : a));
    model.setWeightArrays(weights);
    const layers = buildLayersModel(arch);
    layers.setWeights(layers.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape)));
    const xs = gaussian(B * arch.length * arch.features, 21);
    const x = tf.tensor3d(xs, [B, arch.length, arch.features]);
    const y = tf.tensor1d([1, 0, 0, 1, 1]);
    const w = tf.tensor1d([0.5, 0.1, 0.1, 0.5, 0.5]);

    const pLayers = (layers.predict(x) as tf.Tensor).reshape([B]);
    const pOurs = model.predict({ data: xs, n: B, length: arch.length, features: arch.features });
    expect(maxAbsDiff(pOurs, pLayers.dataSync())).toBeLessThanOrEqual(TOL);

    const vars = layers.trainableWeights.map((v) => v.read() as tf.Variable);
    const ref = tf.variableGrads(() => {
      const p = tf.reshape(layers.apply(x, { training: false }) as tf.Tensor, [B]);
      const bce = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
      return tf.sum<tf.Scalar>(tf.mul(w, bce));
    }, vars);
    for (const [name, rt] of runtimes) {
      const ours = rt.lossAndGrads(model.variables(), { x: timeMajor(x), y, w, mask: null });
      expect(Math.abs(ours.loss - ref.value.dataSync()[0]!), `${name} loss`).toBeLessThanOrEqual(TOL);
      vars.forEach((v, i) => {
        const scale = maxAbsDiff(ref.grads[v.name]!.dataSync(), new Float32Array(v.size));
        expect(scale, `non-trivial gradient ${i}`).toBeGreaterThan(1e-4);
        const d = maxAbsDiff(ours.grads[i]!, ref.grads[v.name]!.dataSync());
        expect(d, `${name} gradient ${i} (${v.name})`).toBeLessThanOrEqual(TOL);
        expect(d / scale, `${name} relative error of gradient ${i}`).toBeLessThanOrEqual(1e-3);
      });
    }
    model.dispose();
    layers.dispose();
  });
});
