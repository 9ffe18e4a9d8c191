/**
 * LSTM `fraction` mode (regression of a target in [0, 1], e.g. RUL / cap): it learns a smooth
 * target from synthetic degradation windows, uses the plain (unweighted) cross-entropy, stops early
 * on the validation loss, accepts single-valued targets, refuses targets outside [0, 1], and leaves
 * the classifier's training unchanged.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/main/core/split';
import { PrognosError } from '../../../src/shared/errors';
import {
  meanBce,
  meanSoftBce,
  selectBackend,
  trainLstm,
  type LabelledWindows,
  type LstmParamsInput,
} from '../../../src/main/core/models/lstm';
import { relaxedMaddFuses } from '../../../src/main/core/models/lstm/simd';
import { gaussian, toyWindows } from './helpers';

/**
 * Windows of an engine's last `length` cycles ending at life fraction t (uniform in [0, 1]): two
 * noisy degradation signals of the life fraction and one noise channel; the target is the capped
 * remaining-life fraction min(1, (1 − t) / 0.6), a piecewise-linear knee like RUL / cap.
 */
function fractionWindows(n: number, length: number, seed: number): LabelledWindows {
  const features = 3;
  const data = gaussian(n * length * features, seed);
  const labels = new Float32Array(n);
  const rng = createRng(seed + 1);
  for (let k = 0; k < n; k++) {
    const t = rng();
    labels[k] = Math.min(1, (1 - t) / 0.6);
    for (let s = 0; s < length; s++) {
      const ts = Math.max(0, t - (length - 1 - s) * 0.02);
      const o = (k * length + s) * features;
      data[o] = Math.exp(3 * (ts - 1)) + 0.05 * data[o]!;
      data[o + 1] = ts * ts + 0.1 * data[o + 1]!;
    }
  }
  return { data, n, length, features, labels };
}

function rmse(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return Math.sqrt(s / p.length);
}

function mean(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i]!;
  return s / y.length;
}

async function rejection(p: Promise<unknown>): Promise<PrognosError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrognosError);
  return e as PrognosError;
}

const small: LstmParamsInput = {
  units1: 8,
  units2: 6,
  attentionUnits: 4,
  dropout: 0.1,
  batchSize: 32,
  epochs: 25,
  patience: 4,
  learningRate: 0.01,
  seed: 7,
};

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

describe('trainLstm target: fraction', () => {
  const train = fractionWindows(480, 8, 11);
  const valid = fractionWindows(160, 8, 12);

  it('learns a smooth target in [0, 1]: validation RMSE well below predicting the mean', async () => {
    const r = await trainLstm(train, valid, small, { threads: 1, target: 'fraction' });
    expect(r.target).toBe('fraction');
    expect(r.positiveWeight).toBe(1);
    const p = r.model.predict(valid);
    const ours = rmse(p, valid.labels);
    const baseline = rmse(new Float32Array(valid.n).fill(mean(train.labels)), valid.labels);
    console.log(
      `LSTM fraction mode: validation RMSE ${ours.toFixed(4)} vs ${baseline.toFixed(4)} predicting the training mean (best epoch ${r.bestEpoch} of ${r.history.length})`,
    );
    expect(ours).toBeLessThan(0.4 * baseline);
    // early stopping on the validation loss: the model holds the best epoch's weights
    expect(r.bestValLoss).toBe(Math.min(...r.history.map((h) => h.valLoss)));
    expect(meanSoftBce(p, valid.labels)).toBeCloseTo(r.bestValLoss, 5);
    r.model.dispose();
  });

  it('is the unweighted cross-entropy: on 0/1 labels it trains exactly like the classifier with class weight 1', async () => {
    const tr = toyWindows(96, 6, 3, 1);
    const va = toyWindows(40, 6, 3, 2);
    const tiny = { ...small, units1: 5, units2: 4, attentionUnits: 3, batchSize: 16, epochs: 3, patience: 0 };
    const frac = await trainLstm(tr, va, tiny, { threads: 1, target: 'fraction' });
    const cls = await trainLstm(tr, va, { ...tiny, classWeight: 1 }, { threads: 1 });
    const balanced = await trainLstm(tr, va, tiny, { threads: 1 });
    const bytes = (r: typeof frac): number[] => Array.from(r.model.serialize().weights);
    expect(bytes(frac)).toEqual(bytes(cls));
    expect(frac.history.map((h) => h.valLoss)).toEqual(cls.history.map((h) => h.valLoss));
    // the class mode's default (balanced) weighting does change the result: the check can fail
    expect(bytes(balanced)).not.toEqual(bytes(frac));
    expect(meanSoftBce(frac.model.predict(va), va.labels)).toBe(meanBce(frac.model.predict(va), va.labels));
    for (const r of [frac, cls, balanced]) r.model.dispose();
  });

  it('computes the same model on two threads (the helper receives the real-valued targets)', async () => {
    const tr = fractionWindows(128, 8, 13);
    const tiny = { ...small, epochs: 2, patience: 0 };
    const one = await trainLstm(tr, valid, tiny, { threads: 1, target: 'fraction' });
    const two = await trainLstm(tr, valid, tiny, { threads: 2, target: 'fraction' });
    expect(two.threads).toBe(2);
    expect(Array.from(two.model.serialize().weights)).toEqual(Array.from(one.model.serialize().weights));
    for (const r of [one, two]) r.model.dispose();
  });

  it('needs no second class, and refuses targets outside [0, 1] naming the window', async () => {
    const flat = { ...train, n: 64, labels: new Float32Array(64).fill(1) };
    const r = await trainLstm(flat, valid, { ...small, epochs: 1 }, { threads: 1, target: 'fraction' });
    expect(r.history).toHaveLength(1);
    r.model.dispose();
    const binaryValid = toyWindows(40, 8, 3, 2);
    expect((await rejection(trainLstm(flat, binaryValid, { ...small, epochs: 1 }, { threads: 1 }))).message).toMatch(
      /all positive; a classifier needs both classes/,
    );
    for (const bad of [1.5, -0.01, Number.NaN]) {
      const labels = Float32Array.from(valid.labels);
      labels[17] = bad;
      const e = await rejection(trainLstm(train, { ...valid, labels }, small, { target: 'fraction' }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toBe(
        `the validation target of window 17 is ${String(Math.fround(bad))}, expected a fraction in [0, 1]`,
      );
    }
    // class mode still refuses fractions
    expect((await rejection(trainLstm(train, valid, small))).message).toMatch(
      /label of window \d+ is .*expected 0 or 1/,
    );
  });
});

describe('trainLstm target: class (default) is unchanged', () => {
  it('trains the bit-identical model it trained before the target option existed (sha256 of the weights)', async () => {
    const tr = toyWindows(96, 6, 3, 1);
    const va = toyWindows(40, 6, 3, 2);
    const params = {
      units1: 5,
      units2: 4,
      attentionUnits: 3,
      batchSize: 16,
      epochs: 3,
      patience: 0,
      learningRate: 0.01,
      seed: 3,
    };
    // the SIMD matmul rounds each multiply-add once where the hardware fuses them (simd.ts); the
    // multiply-then-add figures are the ones recorded before it existed (XNNPACK's sums)
    const expected = relaxedMaddFuses()
      ? {
          sha256: 'dd93fd2cc1293c9e42fee00263a4ed88ce3446bff480f73e5cbb7d1abc7a1acb',
          valLoss: [0.6892705003808176, 0.671396249792591, 0.6465628712314898],
        }
      : {
          sha256: 'b3c2f3cceaf38773f29989c4b6957e91ef1772cecfefbaee0daafdece97e09d7',
          valLoss: [0.6892705003808176, 0.6713962594290088, 0.646562880781121],
        };
    for (const hooks of [{ threads: 1 }, { threads: 1, target: 'class' as const }]) {
      const r = await trainLstm(tr, va, params, hooks);
      expect(r.target).toBe('class');
      const w = r.model.serialize().weights;
      expect(createHash('sha256').update(w).digest('hex')).toBe(expected.sha256);
      expect(r.history.map((h) => h.valLoss)).toEqual(expected.valLoss);
      r.model.dispose();
    }
  });
});
