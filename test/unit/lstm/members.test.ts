import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmToOnnx } from '../../../src/main/core/export/lstm-onnx';
import { LstmModel, selectBackend, trainLstm, trainLstmMembers, type LstmArchitecture, type LstmParamsInput } from '../../../src/main/core/models/lstm';
import { lstmTrainParams, parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { PrognosError } from '../../../src/shared/errors';
import { lstmReferenceBatch } from '../../helpers/onnx-reference';
import { gaussian, maxAbsDiff, toyWindows } from './helpers';

const arch: LstmArchitecture = { features: 3, length: 6, units1: 5, units2: 4, attentionUnits: 3, dropout: 0.2 };
const windows = { data: gaussian(9 * 6 * 3, 11), n: 9, length: 6, features: 3 };
const tiny: LstmParamsInput = { units1: 5, units2: 4, attentionUnits: 3, batchSize: 16, epochs: 3, patience: 0, learningRate: 0.01, seed: 3 };

beforeAll(async () => {
  expect(await selectBackend({ prefer: 'wasm' })).toBe('wasm');
});

describe('an LSTM model that averages several networks', () => {
  it('predicts the mean of its members’ probabilities and attention weights', () => {
    const nets = [1, 2, 3].map((seed) => LstmModel.create(arch, seed));
    const mean = LstmModel.combine(nets);
    expect(mean.memberCount).toBe(3);
    const each = nets.map((m) => m.attention(windows));
    const got = mean.attention(windows, { batchSize: 4 });
    const p = Float64Array.from(got.prob, (_, i) => each.reduce((s, e) => s + e.prob[i]!, 0) / 3);
    const a = Float64Array.from(got.weights, (_, i) => each.reduce((s, e) => s + e.weights[i]!, 0) / 3);
    expect(maxAbsDiff(got.prob, p)).toBeLessThan(1e-6);
    expect(maxAbsDiff(got.weights, a)).toBeLessThan(1e-6);
    // not just the first network
    expect(maxAbsDiff(got.prob, each[0]!.prob)).toBeGreaterThan(1e-4);
    // the members were copied: the originals can go
    for (const m of nets) m.dispose();
    expect(Array.from(mean.predict(windows))).toEqual(Array.from(got.prob));
    mean.dispose();
  });

  it('serializes every member (version 2) and loads a model that predicts identically; a single network stays version 1', () => {
    const mean = LstmModel.combine([LstmModel.create(arch, 4), LstmModel.create(arch, 5)]);
    mean.trainedOn = 'wasm';
    const { json, weights } = mean.serialize();
    expect(json.version).toBe(2);
    expect(json.members).toBe(2);
    expect(json.tensors.map((t) => t.name)).toContain('m1/dense.bias');
    const back = LstmModel.load(JSON.parse(JSON.stringify(json)) as typeof json, weights.slice());
    expect(back.memberCount).toBe(2);
    expect(back.trainedOn).toBe('wasm');
    expect(Array.from(back.predict(windows))).toEqual(Array.from(mean.predict(windows)));
    // a description that does not match its bytes is refused
    expect(() => LstmModel.load({ ...json, members: 3 }, weights)).toThrow(PrognosError);
    expect(() => LstmModel.load({ ...json, members: 0 }, weights)).toThrow(/members must be/);
    expect(() => LstmModel.load({ ...json, tensors: json.tensors.filter((t) => t.name !== 'm1/lstm1.kernel') }, weights)).toThrow(/missing tensor m1\/lstm1.kernel/);
    const single = LstmModel.create(arch, 6);
    expect(single.serialize().json.version).toBe(1);
    expect(single.serialize().json.members).toBeUndefined();
    // training and the helper thread work on one network: a combined model says so instead of using member 0
    expect(() => mean.weightArrays()).toThrow(/single-network/);
    expect(() => mean.getWeights()).toThrow(/single-network/);
    for (const m of [mean, back, single]) m.dispose();
  });

  it('refuses to combine networks of different shapes', () => {
    const a = LstmModel.create(arch, 1);
    const b = LstmModel.create({ ...arch, units2: 5 }, 1);
    expect(() => LstmModel.combine([a, b])).toThrow(/different architectures/);
    expect(() => LstmModel.combine([])).toThrow(PrognosError);
    a.dispose();
    b.dispose();
  });

  it('exports to one ONNX graph whose output is the mean of the networks (onnxruntime against the model and a reference)', async () => {
    const mean = LstmModel.combine([7, 8, 9].map((seed) => LstmModel.create(arch, seed)));
    const bytes = lstmToOnnx(mean.exportWeights(), { window: 6, features: 3 });
    const s = await InferenceSession.create(bytes);
    try {
      const out = await s.run({ windows: new Tensor('float32', Float32Array.from(windows.data), [windows.n, 6, 3]) });
      const got = out.probability!.data as Float32Array;
      expect(maxAbsDiff(got, mean.predict(windows))).toBeLessThan(1e-5);
      expect(maxAbsDiff(got, lstmReferenceBatch(mean.exportWeights(), windows.data, windows.n, 6, 3))).toBeLessThan(1e-5);
    } finally {
      await s.release();
    }
    // one network exports exactly as before: the same bytes as its own weights
    const one = LstmModel.create(arch, 7);
    expect(Buffer.from(lstmToOnnx(one.exportWeights(), { window: 6, features: 3 })).equals(Buffer.from(lstmToOnnx(one.getWeights(), { window: 6, features: 3 })))).toBe(true);
    one.dispose();
    mean.dispose();
  });
});

describe('trainLstmMembers', () => {
  it('trains each network with the next seed, exactly as trainLstm does, and averages them', async () => {
    const train = toyWindows(96, 6, 3, 1);
    const valid = toyWindows(40, 6, 3, 2);
    const fractions: number[] = [];
    const etas: { member: number; eta: number; all: number }[] = [];
    const r = await trainLstmMembers(train, valid, { ...tiny, seed: 3 }, 2, {
      onBatch: (b) => {
        fractions.push(b.fraction);
        etas.push({ member: b.member, eta: b.etaSeconds, all: b.etaAllSeconds });
      },
    });
    // the estimate covers the networks still to come: more than the first network's own rest, exactly the last one's
    for (const e of etas.filter((x) => x.member === 0 && x.eta > 0)) expect(e.all).toBeGreaterThan(e.eta);
    for (const e of etas.filter((x) => x.member === 1)) expect(e.all).toBeCloseTo(e.eta, 9);
    expect(r.members.map((m) => m.seed)).toEqual([3, 4]);
    expect(r.model.memberCount).toBe(2);
    const alone = await Promise.all([3, 4].map(async (seed) => (await trainLstm(train, valid, { ...tiny, seed })).model));
    const mean = Float64Array.from(alone[0]!.predict(windows), (p, i) => (p + alone[1]!.predict(windows)[i]!) / 2);
    expect(maxAbsDiff(r.model.predict(windows), mean)).toBeLessThan(1e-6);
    // progress runs once from 0 to 1 over both networks
    expect(fractions[0]!).toBeGreaterThan(0);
    expect(fractions.at(-1)!).toBeCloseTo(1, 6);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    for (const m of [r.model, ...alone]) m.dispose();
  });

  it('is configured by lstm.members (3 by default), which trainLstm itself never sees', () => {
    const config = parseTrainConfig({});
    expect(config.lstm.members).toBe(3);
    expect(lstmTrainParams(config)).not.toHaveProperty('members');
    expect(parseTrainConfig({ lstm: { members: 1 } }).lstm.members).toBe(1);
    expect(() => parseTrainConfig({ lstm: { members: 0 } })).toThrow(/lstm\.members/);
    expect(() => parseTrainConfig({ lstm: { members: 11 } })).toThrow(/lstm\.members/);
  });
});
