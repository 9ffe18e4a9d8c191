/**
 * reg:squarederror parity with python3-xgboost: Prognos regression models load in
 * `xgboost.Booster.load_model` and predict the same values; with sampling off and one bin per
 * distinct value they are the trees XGBoost's hist grows from the same base_score; XGBoost-trained
 * regression models load in Prognos; and both trainers reach a similar test RMSE on the same data.
 *
 * python3-xgboost here is 1.7.4, which starts reg:squarederror from base_score 0.5; Prognos starts
 * from the mean target (XGBoost ≥ 2's estimated intercept), so the comparisons hand XGBoost the
 * same base_score.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeMatrix } from '../../../bench/gbdt/matrix';
import { GbdtModel, trainGbdt, type GbdtDataset, type GbdtParams } from '../../../src/main/core/models/gbdt';
import { runPythonJson } from '../../helpers/python';
import { makeRegressionMatrix, rmseOf, writeTarget } from '../../helpers/regression-matrix';
import { describeWith, PYTHON_XGBOOST } from '../../helpers/tools';

const PREDICT = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
b = xgb.Booster()
b.load_model(req['model'])
out = {'version': xgb.__version__, 'numTrees': len(b.get_dump()), 'objective': json.loads(b.save_config())['learner']['objective']['name']}
for m in req['matrices']:
    X = np.fromfile(m['base'] + '.x.f32', dtype=np.float32).reshape(m['rows'], req['features'])
    b.predict(xgb.DMatrix(X, feature_names=b.feature_names)).astype(np.float64).tofile(m['base'] + req['suffix'] + '.p.f64')
print(json.dumps(out))
`;

/** Trains XGBoost on base.x.f32 / base.t.f32; optionally predicts `predict` matrices into `<base>.xgb.f64`. */
const TRAIN = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
X = np.fromfile(req['base'] + '.x.f32', dtype=np.float32).reshape(req['rows'], req['features'])
y = np.fromfile(req['base'] + '.t.f32', dtype=np.float32)
params = {'objective': 'reg:squarederror', 'tree_method': 'hist', 'nthread': 1, 'verbosity': 0}
params.update(req['params'])
b = xgb.train(params, xgb.DMatrix(X, label=y), req['rounds'])
b.save_model(req['model'])
for m in req.get('predict', []):
    Xp = np.fromfile(m['base'] + '.x.f32', dtype=np.float32).reshape(m['rows'], req['features'])
    b.predict(xgb.DMatrix(Xp)).astype(np.float64).tofile(m['base'] + '.xgb.f64')
print(json.dumps({'version': xgb.__version__}))
`;

interface JsonTree {
  left_children: number[];
  split_indices: number[];
  split_conditions: number[];
  loss_changes: number[];
}

function treesOf(json: unknown): JsonTree[] {
  return (json as { learner: { gradient_booster: { model: { trees: JsonTree[] } } } }).learner.gradient_booster.model
    .trees;
}

async function readF64(path: string): Promise<Float64Array> {
  const buf = await readFile(path);
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
}

/** Largest |a − b| in units of max(1, |b|) (float32 values near 125 are 7.6e-6 apart). */
function maxRelDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

describeWith(PYTHON_XGBOOST)('XGBoost reg:squarederror parity (python3-xgboost)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prognos-gbdt-reg-'));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function save(d: GbdtDataset, name: string): Promise<string> {
    const base = join(dir, name);
    await writeMatrix(d, base);
    if (d.target !== undefined) await writeTarget(d, base);
    return base;
  }

  it('exported regression models predict the same values in XGBoost (missing values, early stopping)', async () => {
    const train = makeRegressionMatrix({ rows: 5000, features: 14, seed: 201, missing: 0.05 });
    const valid = makeRegressionMatrix({ rows: 1500, features: 14, seed: 202, missing: 0.05 });
    const test = makeRegressionMatrix({ rows: 1500, features: 14, seed: 203 });
    const params: Partial<GbdtParams> = {
      objective: 'reg:squarederror',
      nEstimators: 300,
      maxDepth: 6,
      eta: 0.3,
      alpha: 0.5,
      lambda: 3,
      gamma: 0.5,
      minChildWeight: 2,
      maxBin: 64,
      earlyStoppingRounds: 10,
      nThreads: 2,
    };
    const names = train.columns.map((_, i) => `s${i}`);
    const model = await trainGbdt(train, params, { valid, featureNames: names });
    expect(model.trees.length).toBeLessThan(300);
    const sets = { train, valid, test };
    const matrices = await Promise.all(
      Object.entries(sets).map(async ([k, d]) => ({ k, base: await save(d, `export-${k}`), rows: d.rows })),
    );
    const files = { text: model.toXGBoostJsonString(), stringify: JSON.stringify(model.toXGBoostJson()) };
    for (const [suffix, content] of Object.entries(files)) {
      const path = join(dir, `export.${suffix}.json`);
      await writeFile(path, content);
      const out = runPythonJson<{ version: string; numTrees: number; objective: string }>(PREDICT, {
        args: [JSON.stringify({ model: path, features: train.features, matrices, suffix })],
      });
      expect(out.objective).toBe('reg:squarederror');
      expect(out.numTrees).toBe(model.trees.length);
      for (const m of matrices) {
        const d = sets[m.k as keyof typeof sets];
        const theirs = await readF64(`${m.base}${suffix}.p.f64`);
        const err = maxRelDiff(model.predictValue(d.columns, d.rows), theirs);
        console.log(`regression parity ${m.k} [${suffix}] (xgboost ${out.version}): max |Δ|/max(1, |y|) = ${err.toExponential(2)}`);
        expect(err).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('grows the same trees as XGBoost hist from the same base_score when sampling is off', async () => {
    const d = makeRegressionMatrix({ rows: 4000, features: 8, seed: 204 });
    for (const c of d.columns) for (let i = 0; i < c.length; i++) c[i] = Math.round(c[i]! * 20) / 20;
    const base = await save(d, 'same');
    const params = {
      objective: 'reg:squarederror' as const,
      nEstimators: 6,
      maxDepth: 4,
      eta: 0.3,
      lambda: 2,
      alpha: 0.1,
      minChildWeight: 1,
      maxBin: 256,
      subsample: 1,
      colsampleBytree: 1,
      earlyStoppingRounds: 0,
      nThreads: 2,
    };
    const ours = await trainGbdt(d, params);
    const modelPath = join(dir, 'same.xgb.json');
    runPythonJson(TRAIN, {
      args: [
        JSON.stringify({
          base,
          rows: d.rows,
          features: d.features,
          rounds: params.nEstimators,
          params: { max_depth: 4, eta: 0.3, lambda: 2, alpha: 0.1, min_child_weight: 1, max_bin: 256, base_score: ours.baseScore },
          model: modelPath,
        }),
      ],
    });
    const theirs = treesOf(JSON.parse(await readFile(modelPath, 'utf8')));
    const mine = treesOf(JSON.parse(ours.toXGBoostJsonString()));
    expect(mine).toHaveLength(theirs.length);
    mine.forEach((t, i) => {
      const x = theirs[i]!;
      expect(t.left_children).toEqual(x.left_children);
      expect(t.split_indices).toEqual(x.split_indices);
      t.split_conditions.forEach((v, n) => {
        if (t.left_children[n] === -1) expect(Math.abs(v - x.split_conditions[n]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
        else expect(v).toBe(x.split_conditions[n]);
      });
      t.loss_changes.forEach((v, n) =>
        expect(Math.abs(v - x.loss_changes[n]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, v)),
      );
    });
  });

  it('loads regression models trained by XGBoost itself (base_score 0.5) and predicts the same', async () => {
    const d = makeRegressionMatrix({ rows: 3000, features: 10, seed: 205, missing: 0.03 });
    const base = await save(d, 'xgb-trained');
    const modelPath = join(dir, 'xgb-trained.json');
    runPythonJson(TRAIN, {
      args: [
        JSON.stringify({
          base,
          rows: d.rows,
          features: d.features,
          rounds: 40,
          params: { max_depth: 5, eta: 0.2, seed: 1 },
          model: modelPath,
          predict: [{ base, rows: d.rows }],
        }),
      ],
    });
    const model = GbdtModel.fromXGBoostJson(await readFile(modelPath, 'utf8'));
    expect(model.objective).toBe('reg:squarederror');
    expect(model.baseScore).toBe(0.5);
    const theirs = await readF64(`${base}.xgb.f64`);
    expect(maxRelDiff(model.predictValue(d.columns, d.rows), theirs)).toBeLessThanOrEqual(1e-6);
  });

  it('reaches a test RMSE within 3 % of XGBoost hist trained with the same parameters on the same data', async () => {
    const train = makeRegressionMatrix({ rows: 10_000, features: 20, seed: 206 });
    const test = makeRegressionMatrix({ rows: 4000, features: 20, seed: 207 });
    const trainBase = await save(train, 'quality-train');
    const testBase = await save(test, 'quality-test');
    const p = {
      nEstimators: 150,
      maxDepth: 6,
      eta: 0.1,
      minChildWeight: 1,
      lambda: 1,
      alpha: 0,
      gamma: 0,
      subsample: 0.8,
      colsampleBytree: 0.8,
      maxBin: 256,
      seed: 0,
    };
    const ours = await trainGbdt(train, { ...p, objective: 'reg:squarederror', earlyStoppingRounds: 0, nThreads: 2 });
    runPythonJson(TRAIN, {
      args: [
        JSON.stringify({
          base: trainBase,
          rows: train.rows,
          features: train.features,
          rounds: p.nEstimators,
          params: {
            max_depth: p.maxDepth,
            eta: p.eta,
            min_child_weight: p.minChildWeight,
            lambda: p.lambda,
            alpha: p.alpha,
            gamma: p.gamma,
            subsample: p.subsample,
            colsample_bytree: p.colsampleBytree,
            max_bin: p.maxBin,
            seed: p.seed,
            base_score: ours.baseScore,
          },
          model: join(dir, 'quality.xgb.json'),
          predict: [{ base: testBase, rows: test.rows }],
        }),
      ],
    });
    const rmseXgb = rmseOf(await readF64(`${testBase}.xgb.f64`), test.target);
    const rmseOurs = rmseOf(ours.predictValue(test.columns, test.rows), test.target);
    let mean = 0;
    for (const v of test.target) mean += v / test.rows;
    const rmseMean = rmseOf(new Float64Array(test.rows).fill(mean), test.target);
    console.log(
      `test RMSE (capped RUL): ours ${rmseOurs.toFixed(3)}, xgboost hist ${rmseXgb.toFixed(3)}, predicting the mean ${rmseMean.toFixed(3)}`,
    );
    expect(rmseXgb).toBeLessThan(0.5 * rmseMean);
    expect(Math.abs(rmseOurs - rmseXgb) / rmseXgb).toBeLessThanOrEqual(0.03);
  });
});
