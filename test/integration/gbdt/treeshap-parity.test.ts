/**
 * TreeSHAP parity with python3-xgboost: the same model's XGBoost JSON loaded by xgboost.Booster and
 * `predict(DMatrix(X), pred_contribs=True)` on the same rows give every contribution and the bias
 * (last column) that treeShap / treeShapRows compute, for a binary:logistic classifier and a
 * reg:squarederror RUL model trained on the synthetic fleet with missing values, a model XGBoost
 * trained itself, and the shipped demo bundle's GBDTs on the real test_FD001 units.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unitSpans } from '../../../src/main/core/data/table';
import { readBundle } from '../../../src/main/core/export/bundle';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { GbdtModel } from '../../../src/main/core/models/gbdt';
import { gbdtFromBundleFiles } from '../../../src/main/core/report/explain';
import { treeShap, treeShapRows } from '../../../src/main/core/models/gbdt/shap';
import { REPO } from '../../helpers/paths';
import { runPythonJson } from '../../helpers/python';
import { syntheticGbdts, type SyntheticGbdts } from '../../helpers/synthetic-gbdt';
import { describeWith, PYTHON_XGBOOST } from '../../helpers/tools';
import { loadCmapss } from '../../unit/features/load-cmapss';

const CONTRIBS = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
b = xgb.Booster()
b.load_model(req['model'])
X = np.fromfile(req['x'], dtype=np.float32).reshape(req['rows'], req['features'])
d = xgb.DMatrix(X, feature_names=b.feature_names, missing=np.nan)
c = b.predict(d, pred_contribs=True)
c.astype(np.float64).tofile(req['out'])
print(json.dumps({'version': xgb.__version__, 'shape': list(c.shape)}))
`;

const TRAIN_AND_CONTRIBS = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
X = np.fromfile(req['x'], dtype=np.float32).reshape(req['rows'], req['features'])
y = np.fromfile(req['y'], dtype=np.float32)
d = xgb.DMatrix(X, label=y, missing=np.nan, feature_names=req['names'])
b = xgb.train({'objective': 'reg:squarederror', 'tree_method': 'hist', 'max_depth': 6, 'eta': 0.1,
               'subsample': 0.8, 'colsample_bytree': 0.8, 'base_score': 60.0, 'nthread': 1, 'seed': 5}, d, 60)
b.save_model(req['model'])
b.predict(d, pred_contribs=True).astype(np.float64).tofile(req['out'])
print(json.dumps({'version': xgb.__version__}))
`;

describeWith(PYTHON_XGBOOST)('TreeSHAP parity with XGBoost pred_contribs (python3-xgboost)', () => {
  let dir = '';
  let fx: SyntheticGbdts;
  /** rows to explain: every 7th row of the fleet (each unit's life, NaN holes included) */
  let picked: Int32Array;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prognos-treeshap-'));
    fx = await syntheticGbdts();
    picked = Int32Array.from({ length: Math.floor(fx.rows / 7) }, (_, i) => i * 7);
  });
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  async function xgbContribs(name: string, model: GbdtModel): Promise<{ version: string; c: Float64Array }> {
    const F = model.nFeatures;
    const x = new Float32Array(picked.length * F);
    picked.forEach((r, k) => {
      for (let f = 0; f < F; f++) x[k * F + f] = fx.columns[f]![r]!;
    });
    const modelPath = join(dir, `${name}.json`);
    const xPath = join(dir, `${name}.x.f32`);
    const out = join(dir, `${name}.c.f64`);
    await writeFile(modelPath, model.toXGBoostJsonString());
    await writeFile(xPath, new Uint8Array(x.buffer));
    const r = runPythonJson<{ version: string; shape: number[] }>(CONTRIBS, {
      args: [JSON.stringify({ model: modelPath, x: xPath, rows: picked.length, features: F, out })],
    });
    expect(r.shape).toEqual([picked.length, F + 1]);
    const buf = await readFile(out);
    return { version: r.version, c: new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8) };
  }

  /** splits whose feature an ancestor split on too (where Algorithm 2 unwinds the path) */
  function repeatedSplits(model: GbdtModel): number {
    let n = 0;
    for (const t of model.trees) {
      for (let i = 0; i < t.left.length; i++) {
        if (t.left[i] === -1) continue;
        for (let a = t.parent[i]!; a >= 0; a = t.parent[a]!) {
          if (t.feature[a] === t.feature[i]) {
            n++;
            break;
          }
        }
      }
    }
    return n;
  }

  async function checkParity(name: string, model: GbdtModel): Promise<void> {
    const F = model.nFeatures;
    expect(repeatedSplits(model)).toBeGreaterThan(0);
    const { version, c } = await xgbContribs(name, model);
    const ours = treeShapRows(model, fx.columns, picked);
    const margins = model.predictMargin(
      fx.columns.map((col) => Float32Array.from(picked, (r) => col[r]!)),
      picked.length,
    );
    let maxErr = 0;
    let maxBiasErr = 0;
    let nanRows = 0;
    let nonZero = 0;
    for (let k = 0; k < picked.length; k++) {
      const phi = ours.contributions[k]!;
      if (fx.columns.some((col) => Number.isNaN(col[picked[k]!]!))) nanRows++;
      for (let f = 0; f < F; f++) {
        const want = c[k * (F + 1) + f]!;
        const err = Math.abs(phi[f]! - want) / Math.max(1, Math.abs(want));
        maxErr = Math.max(maxErr, err);
        if (want !== 0) nonZero++;
        expect(err, `${name} row ${picked[k]} feature ${model.featureNames[f]}`).toBeLessThanOrEqual(1e-4);
      }
      const bias = c[k * (F + 1) + F]!;
      maxBiasErr = Math.max(maxBiasErr, Math.abs(ours.bias - bias) / Math.max(1, Math.abs(bias)));
      // the single-row form gives the same values as the batched one
      if (k % 10 === 0) {
        const one = treeShap(model, Float64Array.from(fx.columns, (col) => col[picked[k]!]!));
        expect(Array.from(one.contributions)).toEqual(Array.from(phi));
        expect(one.bias).toBe(ours.bias);
      }
      // XGBoost's contributions add up to its margin too
      let sum = 0;
      for (let f = 0; f <= F; f++) sum += c[k * (F + 1) + f]!;
      expect(Math.abs(sum - margins[k]!) / Math.max(1, Math.abs(margins[k]!))).toBeLessThan(1e-4);
    }
    expect(maxBiasErr).toBeLessThanOrEqual(1e-4);
    console.log(
      `treeshap parity ${name} (xgboost ${version}): ${picked.length} rows (${nanRows} with NaN) × ${F} features, ${model.trees.length} trees (${repeatedSplits(model)} splits on a feature already on their path); ` +
        `max error ${maxErr.toExponential(2)} (absolute, relative above 1), bias ${ours.bias.toFixed(6)} (error ${maxBiasErr.toExponential(2)}), ${nonZero} non-zero reference values`,
    );
    // the comparison is not vacuous: rows with missing values and many non-zero contributions
    expect(nanRows).toBeGreaterThan(picked.length / 4);
    expect(nanRows).toBeLessThan(picked.length);
    expect(nonZero).toBeGreaterThan(picked.length * 5);
  }

  it('a binary:logistic classifier with NaN-routed rows: log-odds contributions and bias', async () => {
    const m = fx.classifier;
    // missing values were learned: some split sends NaN left, and the rows explained have NaN
    expect(m.trees.some((t) => t.defaultLeft.some((d, i) => d === 1 && t.left[i] !== -1))).toBe(true);
    await checkParity('classifier', m);
  });

  it('a model trained by XGBoost itself (hist, sampling, depth 6) and loaded from its JSON', async () => {
    const F = fx.names.length;
    const x = new Float32Array(picked.length * F);
    picked.forEach((r, k) => {
      for (let f = 0; f < F; f++) x[k * F + f] = fx.columns[f]![r]!;
    });
    const y = Float32Array.from(picked, (r) => Math.min(125, Number(fx.target[r])));
    const paths = { x: join(dir, 'own.x.f32'), y: join(dir, 'own.y.f32'), model: join(dir, 'own.json'), out: join(dir, 'own.c.f64') };
    await writeFile(paths.x, new Uint8Array(x.buffer));
    await writeFile(paths.y, new Uint8Array(y.buffer));
    runPythonJson<{ version: string }>(TRAIN_AND_CONTRIBS, {
      args: [JSON.stringify({ ...paths, rows: picked.length, features: F, names: fx.names })],
    });
    const m = GbdtModel.fromXGBoostJson(await readFile(paths.model, 'utf8'));
    const buf = await readFile(paths.out);
    const c = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    const cols = fx.columns.map((col) => Float32Array.from(picked, (r) => col[r]!));
    const ours = treeShapRows(m, cols, Int32Array.from(picked, (_, k) => k));
    let maxErr = 0;
    for (let k = 0; k < picked.length; k++) {
      for (let f = 0; f <= F; f++) {
        const got = f === F ? ours.bias : ours.contributions[k]![f]!;
        const want = c[k * (F + 1) + f]!;
        const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
        maxErr = Math.max(maxErr, err);
        expect(err, `row ${picked[k]} column ${f}`).toBeLessThanOrEqual(1e-4);
      }
    }
    console.log(`treeshap parity xgboost-trained: ${m.trees.length} trees, ${picked.length} rows: max error ${maxErr.toExponential(2)}`);
  });

  it('the shipped demo bundle (FD001) on the last row of every test_FD001 unit, risk and RUL GBDTs', async () => {
    const b = await readBundle(join(REPO, 'resources', 'models', 'demo'));
    expect(b.manifest.gbdtInput).toBe('engineered');
    const table = loadCmapss('test_FD001.txt');
    const { spec, sensors, droppedSensors, regime } = b.manifest.features;
    const f = engineerFeatures(table, spec, { state: { spec, sensors, droppedSensors, ...(regime === undefined ? {} : { regime }) } });
    const last = Int32Array.from(unitSpans(table), (u) => u.end - 1);
    for (const which of ['risk', 'rul'] as const) {
      const m = gbdtFromBundleFiles(b.manifest, b.files, which);
      const cols = m.featureNames.map((n) => Float32Array.from(last, (r) => f.columns[f.names.indexOf(n)]![r]!));
      const F = m.nFeatures;
      const x = new Float32Array(last.length * F);
      for (let k = 0; k < last.length; k++) for (let j = 0; j < F; j++) x[k * F + j] = cols[j]![k]!;
      const paths = { x: join(dir, `demo-${which}.x.f32`), model: join(dir, `demo-${which}.json`), out: join(dir, `demo-${which}.c.f64`) };
      await writeFile(paths.x, new Uint8Array(x.buffer));
      await writeFile(paths.model, b.files.get(which === 'rul' ? b.manifest.rul!.files.gbdtXgboost.file : b.manifest.models.gbdtXgboost.file)!);
      runPythonJson<{ version: string }>(CONTRIBS, { args: [JSON.stringify({ model: paths.model, x: paths.x, rows: last.length, features: F, out: paths.out })] });
      const buf = await readFile(paths.out);
      const c = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
      const ours = treeShapRows(m, cols, Int32Array.from(last, (_, k) => k));
      let maxErr = 0;
      for (let k = 0; k < last.length; k++) {
        for (let j = 0; j <= F; j++) {
          const got = j === F ? ours.bias : ours.contributions[k]![j]!;
          const want = c[k * (F + 1) + j]!;
          const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
          maxErr = Math.max(maxErr, err);
          expect(err, `${which} unit ${table.unit[last[k]!]} column ${j}`).toBeLessThanOrEqual(1e-4);
        }
      }
      console.log(`treeshap parity demo bundle ${which} on test_FD001: ${last.length} units × ${F} features, ${m.trees.length} trees: max error ${maxErr.toExponential(2)}`);
    }
  });

  it('a reg:squarederror RUL model: contributions in cycles, bias = base_score + expected tree outputs', async () => {
    const m = fx.regressor;
    expect(m.isRegression).toBe(true);
    await checkParity('rul', m);
  });
});
