import { beforeAll, describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import {
  LstmModel,
  meanBce,
  resolveLstmParams,
  selectBackend,
  trainLstm,
  type LstmArchitecture,
  type LstmParamsInput,
} from '../../../src/main/core/models/lstm';
import { gaussian, maxAbsDiff, toyWindows } from './helpers';

const arch: LstmArchitecture = { features: 3, length: 6, units1: 5, units2: 4, attentionUnits: 3, dropout: 0.2 };
const tiny: LstmParamsInput = {
  units1: 5,
  units2: 4,
  attentionUnits: 3,
  batchSize: 16,
  epochs: 3,
  patience: 0,
  learningRate: 0.01,
  seed: 3,
};
const train = toyWindows(96, 6, 3, 1);
const valid = toyWindows(40, 6, 3, 2);
const windows = { data: gaussian(7 * 6 * 3, 9), n: 7, length: 6, features: 3 };

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrognosError);
  expect((e as PrognosError).code).toBe(code);
}

// these tests check the fused wasm kernels, so they ask for wasm even where tfjs-node is installed
// (the default choice is checked in backend.test.ts and test/integration/lstm/fd001.test.ts)
beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

describe('LstmModel', () => {
  it('predicts one probability per window and attention weights that sum to 1 over time', () => {
    const m = LstmModel.create(arch, 1);
    const p = m.predict(windows);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.length).toBe(7);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
    const a = m.attention(windows, { batchSize: 3 });
    expect(a.weights.length).toBe(7 * 6);
    expect(Array.from(a.prob)).toEqual(Array.from(p));
    for (let k = 0; k < 7; k++) {
      let s = 0;
      for (let t = 0; t < 6; t++) {
        const w = a.weights[k * 6 + t]!;
        expect(w).toBeGreaterThan(0);
        s += w;
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    m.dispose();
  });

  it('exports weights in the Keras layout and rebuilds an identical model from them', () => {
    const m = LstmModel.create(arch, 2);
    const w = m.getWeights();
    expect(w.lstm1.kernel.shape).toEqual([3, 20]);
    expect(w.lstm1.recurrentKernel.shape).toEqual([5, 20]);
    expect(w.lstm1.bias.shape).toEqual([20]);
    expect(w.lstm2.kernel.shape).toEqual([5, 16]);
    expect(w.lstm2.recurrentKernel.shape).toEqual([4, 16]);
    expect(w.attention.W.shape).toEqual([4, 3]);
    expect(w.attention.b.shape).toEqual([3]);
    expect(w.attention.v.shape).toEqual([3]);
    expect(w.dense.kernel.shape).toEqual([4, 1]);
    expect(w.dense.bias.shape).toEqual([1]);
    // unit forget bias: the f block of the bias starts at 1
    expect(Array.from(w.lstm1.bias.data.slice(5, 10))).toEqual([1, 1, 1, 1, 1]);
    const copy = LstmModel.fromWeights(w, { length: 6 });
    expect(copy.architecture.units1).toBe(5);
    expect(Array.from(copy.predict(windows))).toEqual(Array.from(m.predict(windows)));
    const bad = { ...w, dense: { ...w.dense, kernel: { shape: [5, 1], data: new Float32Array(5) } } };
    expect(() => LstmModel.fromWeights(bad, { length: 6 })).toThrow(PrognosError);
    m.dispose();
    copy.dispose();
  });

  it('serializes to JSON plus bytes and loads a model that predicts identically', () => {
    const m = LstmModel.create(arch, 4);
    m.trainedOn = 'wasm';
    const { json, weights } = m.serialize();
    const back = LstmModel.load(JSON.parse(JSON.stringify(json)) as typeof json, weights.slice());
    expect(back.trainedOn).toBe('wasm');
    expect(back.architecture).toEqual(arch);
    expect(Array.from(back.predict(windows))).toEqual(Array.from(m.predict(windows)));
    expect(() => LstmModel.load(json, weights.slice(4))).toThrow(PrognosError);
    expect(() => LstmModel.load({ ...json, tensors: json.tensors.slice(1) }, weights)).toThrow(PrognosError);
    m.dispose();
    back.dispose();
  });

  it('refuses windows of the wrong shape and use after dispose', () => {
    const m = LstmModel.create(arch, 5);
    expect(() => m.predict({ ...windows, features: 4 })).toThrow(PrognosError);
    m.dispose();
    expect(() => m.predict(windows)).toThrow(PrognosError);
  });
});

describe('trainLstm', () => {
  it('learns a toy sequence task and reports history, best epoch and backend', async () => {
    const before = LstmModel.create({ ...arch }, 3);
    const untrained = meanBce(before.predict(valid), valid.labels);
    before.dispose();
    const batches: number[] = [];
    const epochs: number[] = [];
    const r = await trainLstm(
      train,
      valid,
      { ...tiny, epochs: 6 },
      {
        threads: 1,
        onBatch: (b) => batches.push(b.batch),
        onEpoch: (e) => {
          epochs.push(e.epoch);
          expect(e.etaSeconds).toBeGreaterThanOrEqual(0);
        },
      },
    );
    expect(r.backend).toBe('wasm');
    expect(r.kernels).toBe('fused-simd');
    expect(r.threads).toBe(1);
    expect(r.history.length).toBe(6);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches.length).toBe(6 * 6);
    expect(r.positiveWeight).toBeCloseTo((96 - sum(train.labels)) / sum(train.labels), 10);
    expect(r.bestValLoss).toBe(Math.min(...r.history.map((h) => h.valLoss)));
    expect(r.history[r.bestEpoch - 1]!.valLoss).toBe(r.bestValLoss);
    // the model holds the best epoch's weights
    expect(meanBce(r.model.predict(valid), valid.labels)).toBeCloseTo(r.bestValLoss, 5);
    expect(r.bestValLoss).toBeLessThan(untrained);
    r.model.dispose();
  });

  it('is bit-for-bit reproducible for a seed, on one or two threads', async () => {
    const a = await trainLstm(train, valid, tiny, { threads: 1 });
    const b = await trainLstm(train, valid, tiny, { threads: 2 });
    const c = await trainLstm(train, valid, { ...tiny, seed: 4 }, { threads: 1 });
    expect(b.threads).toBe(2);
    const bytes = (m: LstmModel): number[] => Array.from(m.serialize().weights);
    expect(bytes(b.model)).toEqual(bytes(a.model));
    expect(b.history).toEqual(a.history.map((h, i) => ({ ...h, seconds: b.history[i]!.seconds })));
    expect(bytes(c.model)).not.toEqual(bytes(a.model));
    for (const r of [a, b, c]) r.model.dispose();
  });

  it('stops early when the validation loss stops improving', async () => {
    // flipped validation labels: the better the model learns the task, the worse the validation loss
    const flipped = { ...valid, labels: Uint8Array.from(valid.labels, (v) => 1 - v) };
    const r = await trainLstm(train, flipped, { ...tiny, epochs: 40, patience: 2 }, { threads: 1 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(40);
    expect(r.history.length - r.bestEpoch).toBe(2);
    r.model.dispose();
  });

  it('cancels through the AbortSignal', async () => {
    const ctl = new AbortController();
    await expectCode(
      trainLstm(train, valid, tiny, { threads: 1, signal: ctl.signal, onBatch: (b) => b.batch === 2 && ctl.abort() }),
      'CANCELLED',
    );
    const pre = new AbortController();
    pre.abort();
    await expectCode(trainLstm(train, valid, tiny, { signal: pre.signal }), 'CANCELLED');
  });

  it('refuses bad input', async () => {
    await expectCode(trainLstm({ ...train, labels: new Uint8Array(96) }, valid, tiny), 'INVALID_INPUT');
    await expectCode(trainLstm(train, { ...valid, features: 2 }, tiny), 'INVALID_INPUT');
    await expectCode(trainLstm(train, valid, { ...tiny, dropout: 1 }), 'INVALID_INPUT');
    expect(() => resolveLstmParams({ batchSize: 0 })).toThrow(PrognosError);
    expect(resolveLstmParams({}).classWeight).toBe('balanced');
  });
});

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

describe('predictRows', () => {
  it('scores table rows in chunks exactly as one window set', async () => {
    const { buildWindows } = await import('../../../src/main/core/windows');
    const { predictRows } = await import('../../../src/main/core/models/lstm');
    const unit = Int32Array.from({ length: 40 }, (_, i) => (i < 4 ? 1 : i < 25 ? 2 : 3));
    const table = { rowCount: 40, unit };
    const columns = [0, 1, 2].map((f) => gaussian(40, 50 + f));
    const rows = Int32Array.from({ length: 40 }, (_, i) => i);
    const m = LstmModel.create(arch, 6);
    const whole = m.predict(buildWindows(columns, table, rows, 6));
    const r = predictRows(m, columns, table, rows, { chunk: 7 });
    expect(maxAbsDiff(r.prob, whole)).toBeLessThanOrEqual(1e-6);
    expect(r.shortUnitWindows).toBe(4);
    expect(r.padded).toBe(4 + 5 + 5);
    m.dispose();
  });
});

describe('predictParallel', () => {
  it('gives model.predict’s numbers on two threads', async () => {
    const { predictParallel } = await import('../../../src/main/core/models/lstm');
    const m = LstmModel.create(arch, 8);
    const many = { data: gaussian(600 * 6 * 3, 12), n: 600, length: 6, features: 3 };
    const p = await predictParallel(m, many, { minWindows: 0 });
    expect(Array.from(p)).toEqual(Array.from(m.predict(many)));
    m.dispose();
  });
});
