/**
 * TreeSHAP parity with python3-xgboost: the same model's XGBoost JSON loaded by xgboost.Booster and
 * `predict(DMatrix(X), pred_contribs=True)` on the same rows give every contribution and the bias
 * (last column) that treeShap / treeShapRows compute, for a binary:logistic classifier and a
 * reg:squarederror RUL model trained on the synthetic fleet with missing values.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GbdtModel } from '../../../src/main/core/models/gbdt';
import { treeShap, treeShapRows } from '../../../src/main/core/models/gbdt/shap';
import { runPythonJson } from '../../helpers/python';
import { syntheticGbdts, type SyntheticGbdts } from '../../helpers/synthetic-gbdt';
import { describeWith, PYTHON_XGBOOST } from '../../helpers/tools';

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

  async function checkParity(name: string, model: GbdtModel): Promise<void> {
    const F = model.nFeatures;
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
      `treeshap parity ${name} (xgboost ${version}): ${picked.length} rows (${nanRows} with NaN) × ${F} features, ${model.trees.length} trees; ` +
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

  it('a reg:squarederror RUL model: contributions in cycles, bias = base_score + expected tree outputs', async () => {
    const m = fx.regressor;
    expect(m.isRegression).toBe(true);
    await checkParity('rul', m);
  });
});
