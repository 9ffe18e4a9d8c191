/**
 * Validation weights in trainLstm: the validation loss that early stopping reads is Σ w·loss / Σ w
 * over the validation windows (windows of weight 0 play no part), and bad weights are refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { meanSoftBce, selectBackend, trainLstm, type LstmParamsInput } from '../../../src/main/core/models/lstm';
import { PrognosError } from '../../../src/shared/errors';
import { toyWindows } from './helpers';

const tiny: LstmParamsInput = { units1: 5, units2: 4, attentionUnits: 3, batchSize: 16, epochs: 3, patience: 0, learningRate: 0.01, seed: 3 };

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

describe('trainLstm validation weights', () => {
  const tr = toyWindows(96, 6, 3, 1);
  const va = toyWindows(40, 6, 3, 2);

  it('early stopping reads the weighted validation loss; the training itself is unchanged', async () => {
    // only the first 10 windows count
    const weights = Float64Array.from({ length: va.n }, (_, i) => (i < 10 ? 1 : 0));
    const plain = await trainLstm(tr, va, tiny, { threads: 1, target: 'fraction' });
    const weighted = await trainLstm(tr, { ...va, weights }, tiny, { threads: 1, target: 'fraction' });
    // same weights after every epoch (patience 0 keeps the best epoch by each one's own loss, so compare the losses)
    expect(weighted.history.map((h) => h.loss)).toEqual(plain.history.map((h) => h.loss));
    const first10 = { ...va, n: 10, data: va.data.subarray(0, 10 * va.length * va.features), labels: Array.from(va.labels).slice(0, 10) };
    const p = weighted.model.predict(first10);
    expect(weighted.bestValLoss).toBeCloseTo(meanSoftBce(p, first10.labels), 6);
    expect(weighted.history.map((h) => h.valLoss)).not.toEqual(plain.history.map((h) => h.valLoss));
    // scaling every weight by a constant changes nothing
    const scaled = await trainLstm(tr, { ...va, weights: weights.map((w) => 7 * w) }, tiny, { threads: 1, target: 'fraction' });
    scaled.history.forEach((h, i) => expect(h.valLoss).toBeCloseTo(weighted.history[i]!.valLoss, 9));
    for (const r of [plain, weighted, scaled]) r.model.dispose();
  });

  it('refuses weights of the wrong length, negative or non-finite weights, and all zeros', async () => {
    const cases: [ArrayLike<number>, RegExp][] = [
      [new Float64Array(va.n - 1).fill(1), /40 windows but 39 weights/],
      [Float64Array.from({ length: va.n }, (_, i) => (i === 5 ? -1 : 1)), /validation weight of window 5 is -1/],
      [Float64Array.from({ length: va.n }, (_, i) => (i === 8 ? Number.NaN : 1)), /validation weight of window 8 is NaN/],
      [new Float64Array(va.n), /validation weights are all zero/],
    ];
    for (const [weights, message] of cases) {
      const e: unknown = await trainLstm(tr, { ...va, weights }, tiny, { threads: 1, target: 'fraction' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(PrognosError);
      expect((e as PrognosError).code).toBe('INVALID_INPUT');
      expect((e as PrognosError).message).toMatch(message);
    }
  });
});
