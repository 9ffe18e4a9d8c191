/**
 * GBDT reg:squarederror: it learns a capped-RUL target, starts from the mean target, stops early on
 * the validation RMSE, carries the objective through the helper threads and XGBoost JSON, does not
 * depend on the target's units, and leaves classifiers unchanged.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSyntheticMatrix } from '../../../bench/gbdt/matrix';
import { GbdtModel, trainGbdt, type GbdtDataset, type GbdtParams } from '../../../src/main/core/models/gbdt';
import { PrognosError } from '../../../src/shared/errors';
import { makeRegressionMatrix, rmseOf } from '../../helpers/regression-matrix';

const reg: Partial<GbdtParams> = {
  objective: 'reg:squarederror',
  nEstimators: 60,
  maxDepth: 5,
  eta: 0.2,
  earlyStoppingRounds: 0,
  nThreads: 1,
};

async function rejection(p: Promise<unknown>): Promise<PrognosError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PrognosError);
  return e as PrognosError;
}

function stdOf(t: Float32Array): number {
  let m = 0;
  for (const v of t) m += v;
  m /= t.length;
  let s = 0;
  for (const v of t) s += (v - m) ** 2;
  return Math.sqrt(s / t.length);
}

describe('GBDT reg:squarederror', () => {
  const train = makeRegressionMatrix({ rows: 3000, features: 12, seed: 21 });
  const valid = makeRegressionMatrix({ rows: 1000, features: 12, seed: 22 });
  const test = makeRegressionMatrix({ rows: 1000, features: 12, seed: 23 });

  it('learns the capped RUL far better than predicting the mean, starting from the mean target', async () => {
    const model = await trainGbdt(train, reg);
    expect(model.objective).toBe('reg:squarederror');
    expect(model.isRegression).toBe(true);
    let sum = 0;
    for (const v of train.target) sum += v;
    expect(model.baseScore).toBe(Math.fround(sum / train.rows));
    expect(model.baseMargin).toBe(model.baseScore);
    const pred = model.predictValue(test.columns, test.rows);
    const rmse = rmseOf(pred, test.target);
    const baseline = stdOf(test.target);
    expect(rmse).toBeLessThan(0.5 * baseline);
    // predictRow agrees with the column predictor
    for (const r of [0, 17, 999]) {
      const x = Float32Array.from(test.columns, (c) => c[r]!);
      expect(model.predictRow(x)).toBe(pred[r]);
    }
    expect(() => model.predictProba(test.columns, test.rows)).toThrow(/reg:squarederror/);
  });

  it('stops early on the validation RMSE and keeps the best trees', async () => {
    const seen: { it: number; valid: number; metric: string }[] = [];
    const model = await trainGbdt(
      train,
      { ...reg, nEstimators: 400, eta: 0.5, maxDepth: 8, minChildWeight: 0, lambda: 0, earlyStoppingRounds: 8 },
      {
        valid,
        onIteration: (e) => seen.push({ it: e.iteration, valid: e.validLoss!, metric: e.metric }),
      },
    );
    expect(seen.every((s) => s.metric === 'rmse')).toBe(true);
    expect(seen.length).toBeLessThan(400);
    const best = seen.reduce((a, b) => (b.valid < a.valid ? b : a));
    expect(model.trees).toHaveLength(best.it + 1);
    expect(seen.length).toBe(best.it + 1 + 8);
    // the reported validation RMSE is the kept model's
    const rmse = rmseOf(model.predictValue(valid.columns, valid.rows), valid.target);
    expect(Math.abs(rmse - best.valid)).toBeLessThan(1e-3);
  });

  it('trains the same model on helper threads as on one thread', async () => {
    // 12 000 × 10 sampled features: above PARALLEL_MIN_CELLS, so the pool is used
    const big = makeRegressionMatrix({ rows: 12_000, features: 12, seed: 24, missing: 0.02 });
    const params = { ...reg, nEstimators: 12, maxDepth: 6, subsample: 0.8, colsampleBytree: 0.8, seed: 4 };
    let used = 0;
    const two = await trainGbdt(big, { ...params, nThreads: 2 }, { onStart: (i) => (used = i.threads) });
    expect(used).toBe(2);
    const one = await trainGbdt(big, { ...params, nThreads: 1 });
    expect(two.toXGBoostJsonString()).toBe(one.toXGBoostJsonString());
  });

  it('is scale-equivariant: targets × 2^20 give the same trees with predictions × 2^20, bit for bit', async () => {
    const k = 2 ** 20;
    const scaled = { ...train, target: Float32Array.from(train.target, (v) => v * k) };
    const params = { ...reg, nEstimators: 15, lambda: 0, minChildWeight: 0 };
    const a = await trainGbdt(train, params);
    const b = await trainGbdt(scaled, params);
    expect(b.baseScore).toBe(a.baseScore * k);
    const pa = a.predictValue(test.columns, test.rows);
    const pb = b.predictValue(test.columns, test.rows);
    for (let r = 0; r < test.rows; r++) expect(pb[r]).toBe(pa[r]! * k);
  });

  it('ignores scalePosWeight, which has no meaning for squared error', async () => {
    const a = await trainGbdt(train, { ...reg, nEstimators: 10 });
    const b = await trainGbdt(train, { ...reg, nEstimators: 10, scalePosWeight: 7 });
    expect(b.scalePosWeight).toBe(1);
    expect(b.toXGBoostJsonString()).toBe(a.toXGBoostJsonString());
  });

  it('round-trips through XGBoost JSON with its objective', async () => {
    const model = await trainGbdt(train, { ...reg, nEstimators: 10 });
    const text = model.toXGBoostJsonString();
    expect(JSON.parse(text)).toMatchObject({ learner: { objective: { name: 'reg:squarederror' } } });
    for (const src of [text, JSON.stringify(model.toXGBoostJson())]) {
      const back = GbdtModel.fromXGBoostJson(src);
      expect(back.objective).toBe('reg:squarederror');
      expect(back.baseScore).toBe(model.baseScore);
      expect(back.predictValue(test.columns, test.rows)).toEqual(model.predictValue(test.columns, test.rows));
    }
  });

  it('refuses a missing, short or non-finite target, naming the row', async () => {
    const noTarget: GbdtDataset = { ...train, target: undefined };
    expect((await rejection(trainGbdt(noTarget, reg))).message).toMatch(/training set: has no target/);
    const short = { ...train, target: train.target.subarray(1) };
    expect((await rejection(trainGbdt(short, reg))).message).toMatch(/target has 2999 values for 3000 rows/);
    const bad = Float32Array.from(train.target);
    bad[123] = Number.NaN;
    const e = await rejection(trainGbdt(train, reg, { valid: { ...valid, target: bad.subarray(0, valid.rows) } }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/validation set: target 123 is NaN/);
    const obj = await rejection(trainGbdt(train, { ...reg, objective: 'reg:absoluteerror' as GbdtParams['objective'] }));
    expect(obj.message).toMatch(/objective must be one of binary:logistic, reg:squarederror/);
  });

  it('refuses XGBoost JSON with an unsupported objective or a non-finite base_score', async () => {
    const model = await trainGbdt(train, { ...reg, nEstimators: 3 });
    const json = JSON.parse(model.toXGBoostJsonString()) as {
      learner: { objective: { name: string }; learner_model_param: { base_score: string } };
    };
    json.learner.learner_model_param.base_score = '1e40';
    expect(() => GbdtModel.fromXGBoostJson(JSON.stringify(json))).toThrow(/base_score 1e\+40 is not a finite float32/);
    json.learner.learner_model_param.base_score = '12.5';
    json.learner.objective.name = 'reg:pseudohubererror';
    expect(() => GbdtModel.fromXGBoostJson(JSON.stringify(json))).toThrow(/objective reg:pseudohubererror is not supported/);
  });
});

describe('GBDT binary:logistic is unchanged by the regression objective', () => {
  it('trains the byte-identical model it trained before (sha256 of the XGBoost JSON)', async () => {
    const train = makeSyntheticMatrix({ rows: 3000, features: 12, seed: 31, missing: 0.02 });
    const valid = makeSyntheticMatrix({ rows: 1000, features: 12, seed: 32, missing: 0.02 });
    const params = { nEstimators: 40, maxDepth: 5, eta: 0.3, scalePosWeight: 2, earlyStoppingRounds: 5, nThreads: 1, seed: 3 };
    for (const p of [params, { ...params, objective: 'binary:logistic' as const }]) {
      const m = await trainGbdt(train, p, { valid });
      expect(m.objective).toBe('binary:logistic');
      expect(m.trees).toHaveLength(7);
      // the hash of the model this code trained before the objective existed
      expect(createHash('sha256').update(m.toXGBoostJsonString()).digest('hex')).toBe(
        '5a95dd6c8ab54a30430eb3a6483413356998d7a68e27ced1a368474428e67095',
      );
      expect(m.predictValue(valid.columns, valid.rows)).toEqual(m.predictProba(valid.columns, valid.rows));
    }
  });
});
