/**
 * Parity with python3-xgboost: models exported by Prognos load in `xgboost.Booster.load_model` and
 * give the same probabilities; models trained by XGBoost load in Prognos and predict the same; and
 * XGBoost's own hist trainer and ours reach a similar validation AUC on the same data.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeSyntheticMatrix, writeMatrix } from '../../../bench/gbdt/matrix';
import { runXgbReference } from '../../../bench/gbdt/xgboost-reference';
import { GbdtModel, trainGbdt, type GbdtDataset, type GbdtParams } from '../../../src/main/core/models/gbdt';
import { runPythonJson } from '../../helpers/python';
import { describeWith, PYTHON_XGBOOST } from '../../helpers/tools';

const PREDICT = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
b = xgb.Booster()
b.load_model(req['model'])
out = {'version': xgb.__version__, 'numTrees': len(b.get_dump()),
       'totalGain': b.get_score(importance_type='total_gain')}
for name, m in req['matrices'].items():
    X = np.fromfile(m['base'] + '.x.f32', dtype=np.float32).reshape(m['rows'], req['features'])
    d = xgb.DMatrix(X, feature_names=b.feature_names)
    b.predict(d).astype(np.float64).tofile(m['base'] + req['suffix'] + '.p.f64')
    b.predict(d, output_margin=True).astype(np.float64).tofile(m['base'] + req['suffix'] + '.m.f64')
print(json.dumps(out))
`;

const TRAIN_AND_SAVE = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
X = np.fromfile(req['base'] + '.x.f32', dtype=np.float32).reshape(req['rows'], req['features'])
y = np.fromfile(req['base'] + '.y.u8', dtype=np.uint8).astype(np.float32)
d = xgb.DMatrix(X, label=y, feature_names=req['names'])
b = xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 5, 'eta': 0.2,
               'base_score': 0.3, 'nthread': 2, 'seed': 1}, d, 30)
b.save_model(req['model'])
b.predict(d).astype(np.float64).tofile(req['base'] + '.p.f64')
print(json.dumps({'ok': True}))
`;

const TRAIN_SAME = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
X = np.fromfile(req['base'] + '.x.f32', dtype=np.float32).reshape(req['rows'], req['features'])
y = np.fromfile(req['base'] + '.y.u8', dtype=np.uint8).astype(np.float32)
p = req['params']
b = xgb.train({'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': p['maxDepth'], 'eta': p['eta'],
               'lambda': p['lambda'], 'alpha': p['alpha'], 'min_child_weight': p['minChildWeight'],
               'scale_pos_weight': p['scalePosWeight'], 'max_bin': p['maxBin'], 'base_score': req['baseScore'],
               'nthread': 1}, xgb.DMatrix(X, label=y), p['nEstimators'])
b.save_model(req['model'])
print(json.dumps({'ok': True}))
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

function auc(p: Float64Array, y: Uint8Array): number {
  const idx = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k]!] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = y.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

async function readF64(path: string): Promise<Float64Array> {
  const buf = await readFile(path);
  return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describeWith(PYTHON_XGBOOST)('XGBoost parity (python3-xgboost)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prognos-gbdt-parity-'));
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function checkExport(
    name: string,
    train: GbdtDataset,
    others: Record<string, GbdtDataset>,
    params: Partial<GbdtParams>,
    valid?: GbdtDataset,
  ): Promise<GbdtModel> {
    const names = train.columns.map((_, i) => `feat_${i}`);
    const model = await trainGbdt(
      train,
      params,
      valid === undefined ? { featureNames: names } : { featureNames: names, valid },
    );
    const sets: Record<string, GbdtDataset> = { train, ...others };
    const matrices: Record<string, { base: string; rows: number }> = {};
    for (const [k, d] of Object.entries(sets)) {
      const base = join(dir, `${name}-${k}`);
      await writeMatrix(d, base);
      matrices[k] = { base, rows: d.rows };
    }
    // the compact text writer and plain JSON.stringify of the exported object must both load
    const files = {
      text: model.toXGBoostJsonString(),
      stringify: JSON.stringify(model.toXGBoostJson()),
    };
    for (const [suffix, content] of Object.entries(files)) {
      const modelPath = join(dir, `${name}.${suffix}.json`);
      await writeFile(modelPath, content);
      const out = runPythonJson<{ version: string; numTrees: number; totalGain: Record<string, number> }>(PREDICT, {
        args: [JSON.stringify({ model: modelPath, features: train.features, matrices, suffix })],
      });
      expect(out.numTrees).toBe(model.trees.length);
      const gains = model.gainImportance();
      expect(Object.keys(gains).sort()).toEqual(Object.keys(out.totalGain).sort());
      for (const [f, g] of Object.entries(gains)) expect(Math.abs(g - out.totalGain[f]!)).toBeLessThanOrEqual(1e-5 * g);
      for (const [k, d] of Object.entries(sets)) {
        const pXgb = await readF64(`${matrices[k]!.base}${suffix}.p.f64`);
        const mXgb = await readF64(`${matrices[k]!.base}${suffix}.m.f64`);
        const errP = maxAbsDiff(model.predictProba(d.columns, d.rows), pXgb);
        const errM = maxAbsDiff(model.predictMargin(d.columns, d.rows), mXgb);
        console.log(
          `parity ${name}/${k} [${suffix}] (xgboost ${out.version}): max |Δp| = ${errP.toExponential(2)}, max |Δmargin| = ${errM.toExponential(2)}`,
        );
        expect(errP).toBeLessThanOrEqual(1e-6);
        expect(errM).toBeLessThanOrEqual(1e-6);
      }
    }
    return model;
  }

  it('exported models predict the same probabilities in XGBoost (train rows sit on the thresholds)', async () => {
    const train = makeSyntheticMatrix({ rows: 6000, features: 20, seed: 101 });
    const test = makeSyntheticMatrix({ rows: 3000, features: 20, seed: 102 });
    await checkExport('plain', train, { test }, { nEstimators: 60, maxDepth: 8, earlyStoppingRounds: 0, nThreads: 2 });
  });

  it('with missing values, early stopping, L1/L2, gamma and scale_pos_weight', async () => {
    const train = makeSyntheticMatrix({ rows: 5000, features: 16, seed: 103, missing: 0.08 });
    const valid = makeSyntheticMatrix({ rows: 2000, features: 16, seed: 104, missing: 0.08 });
    const noNaN = makeSyntheticMatrix({ rows: 1000, features: 16, seed: 105 });
    const model = await checkExport(
      'missing',
      train,
      { valid, noNaN },
      {
        nEstimators: 400,
        maxDepth: 6,
        eta: 0.3,
        alpha: 0.5,
        lambda: 3,
        gamma: 0.2,
        scalePosWeight: 3,
        minChildWeight: 2,
        maxBin: 64,
        earlyStoppingRounds: 10,
        nThreads: 2,
      },
      valid,
    );
    expect(model.trees.length).toBeLessThan(400);
    expect(model.trees.some((t) => t.defaultLeft.some((d, i) => d === 1 && t.left[i] !== -1))).toBe(true);
  });

  it('exports integral thresholds (operating settings like 0, 20, 100) that XGBoost reads', async () => {
    const base = makeSyntheticMatrix({ rows: 3000, features: 6, seed: 109 });
    const regimes = [0, 10, 20, 25, 35, 42, 100];
    const setting = Float32Array.from({ length: base.rows }, (_, r) => regimes[r % regimes.length]!);
    const label = Uint8Array.from(base.label, (y, r) => (setting[r]! >= 25 && r % 3 !== 0 ? 1 : y));
    const train: GbdtDataset = { ...base, features: 7, columns: [...base.columns, setting], label };
    const model = await checkExport(
      'integral',
      train,
      {},
      { nEstimators: 20, maxDepth: 4, earlyStoppingRounds: 0, nThreads: 1 },
    );
    const thresholds = model.trees.flatMap((t) =>
      Array.from(t.threshold).filter((_, i) => t.left[i] !== -1 && t.feature[i] === 6),
    );
    expect(thresholds.length).toBeGreaterThan(0);
    expect(thresholds.every((x) => Number.isInteger(x))).toBe(true);
  });

  it('grows the same trees as XGBoost hist when every distinct value has its own bin and sampling is off', async () => {
    const d = makeSyntheticMatrix({ rows: 5000, features: 10, seed: 110 });
    for (const c of d.columns) for (let i = 0; i < c.length; i++) c[i] = Math.round(c[i]! * 20) / 20;
    const base = join(dir, 'same');
    await writeMatrix(d, base);
    const params = {
      nEstimators: 6,
      maxDepth: 4,
      eta: 0.3,
      lambda: 2,
      alpha: 0.1,
      minChildWeight: 1,
      scalePosWeight: 3,
      maxBin: 256,
      subsample: 1,
      colsampleBytree: 1,
      earlyStoppingRounds: 0,
      nThreads: 2,
    };
    const ours = await trainGbdt(d, params);
    const modelPath = join(dir, 'same.xgb.json');
    runPythonJson(TRAIN_SAME, {
      args: [
        JSON.stringify({
          base,
          rows: d.rows,
          features: d.features,
          params,
          baseScore: ours.baseScore,
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
        if (t.left_children[n] === -1) expect(v).toBeCloseTo(x.split_conditions[n]!, 5);
        else expect(v).toBe(x.split_conditions[n]);
      });
      t.loss_changes.forEach((v, n) =>
        expect(Math.abs(v - x.loss_changes[n]!)).toBeLessThanOrEqual(1e-3 * Math.max(1, v)),
      );
    });
  });

  it('loads models trained by XGBoost itself and predicts the same', async () => {
    const d = makeSyntheticMatrix({ rows: 3000, features: 10, seed: 106, missing: 0.03 });
    const base = join(dir, 'xgb-trained');
    await writeMatrix(d, base);
    const names = d.columns.map((_, i) => `c${i}`);
    const modelPath = join(dir, 'xgb-trained.json');
    runPythonJson(TRAIN_AND_SAVE, {
      args: [JSON.stringify({ base, rows: d.rows, features: d.features, names, model: modelPath })],
    });
    const model = GbdtModel.fromXGBoostJson(await readFile(modelPath, 'utf8'));
    expect(model.featureNames).toEqual(names);
    expect(model.baseScore).toBe(Math.fround(0.3));
    const pXgb = await readF64(`${base}.p.f64`);
    expect(maxAbsDiff(model.predictProba(d.columns, d.rows), pXgb)).toBeLessThanOrEqual(1e-6);
  });

  it('reaches a validation AUC within 0.01 of XGBoost hist on the same data and parameters', async () => {
    const train = makeSyntheticMatrix({ rows: 10_000, features: 40, seed: 107 });
    const valid = makeSyntheticMatrix({ rows: 5000, features: 40, seed: 108 });
    const params = {
      nEstimators: 120,
      maxDepth: 8,
      eta: 0.1,
      minChildWeight: 1,
      lambda: 1,
      alpha: 0,
      gamma: 0,
      subsample: 0.8,
      colsampleBytree: 0.8,
      maxBin: 256,
      scalePosWeight: 1,
      seed: 0,
      nThreads: 2,
    };
    const trainBase = join(dir, 'auc-train');
    const validBase = join(dir, 'auc-valid');
    await writeMatrix(train, trainBase);
    await writeMatrix(valid, validBase);
    const validOut = join(dir, 'auc-valid.xgb.f64');
    runXgbReference({
      train: trainBase,
      rows: train.rows,
      features: train.features,
      params,
      valid: { base: validBase, rows: valid.rows },
      validOut,
    });
    const aucXgb = auc(await readF64(validOut), valid.label);
    const ours = await trainGbdt(train, { ...params, earlyStoppingRounds: 0 });
    const aucOurs = auc(ours.predictProba(valid.columns, valid.rows), valid.label);
    console.log(`validation AUC: ours ${aucOurs.toFixed(4)}, xgboost hist ${aucXgb.toFixed(4)}`);
    expect(aucXgb).toBeGreaterThan(0.8);
    expect(Math.abs(aucOurs - aucXgb)).toBeLessThanOrEqual(0.01);
  });
});
