/**
 * Export of a GBDT trained on real FD001 features (plus an LSTM with random Keras-layout weights),
 * checked against the in-app engines and independent tools:
 * - gbdt.onnx in onnxruntime vs GbdtModel.predictProba on every FD001 test row (1e-5);
 * - gbdt.xgboost.json in python3-xgboost vs GbdtModel.predictProba (1e-5);
 * - every .onnx passes onnx.checker.check_model(full_check=True);
 * - lstm.onnx vs a numpy forward pass of the same weights (1e-4) and the TypeScript reference;
 * - pipeline.onnx vs the TypeScript feature engine + models on FD001 test units, whole and cut to
 *   fewer rows than the history the features need (1e-4);
 * - BundleScorer's two engines agree.
 */
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import type { FleetTable } from '../../../src/main/core/data/table';
import { unitSpans } from '../../../src/main/core/data/table';
import { writeBundle, type BundleInput, type WrittenBundle } from '../../../src/main/core/export/bundle';
import { membersOf } from '../../../src/main/core/export/lstm-onnx';
import { pipelineContract } from '../../../src/main/core/export/pipeline-onnx';
import { BundleScorer } from '../../../src/main/core/export/score';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, type PipelineResult } from '../../../src/main/core/pipeline/train';
import { rowMaskFor, StandardScaler } from '../../../src/main/core/split';
import { buildWindows } from '../../../src/main/core/windows';
import { maxAbsDiff, onnxCheck, pipelineFeeds, referenceScores, testBundleInput, truncateUnits } from '../../helpers/onnx-fixtures';
import { lstmReferenceBatch, randomLstmWeights } from '../../helpers/onnx-reference';
import { CMAPSS, tempDir } from '../../helpers/paths';
import { runPythonJson } from '../../helpers/python';
import { itWith, PYTHON_NUMPY, PYTHON_ONNX, PYTHON_XGBOOST } from '../../helpers/tools';


/** Features of every kind on FD001's informative sensors, then the best-ranked ones up to 24. */
const MANUAL = ['s11', 's4_mean_5', 's9_std_10', 's12_min_20', 's7_max_30', 's11_slope_30', 's4_slope_5', 's15_ewma', 's9_diff', 's14_mean_30', 's2_std_30', 's21_slope_10'];

let dir = '';
let train: FleetTable;
let test: FleetTable;
let r: PipelineResult;
let input: BundleInput;
let bundle: WrittenBundle;
/** lstm.onnx's outputs on FD001 test windows, shared by the TypeScript and numpy reference tests */
let lstmOnnx: { w: ReturnType<typeof buildWindows>; F: number; got: Float32Array } | undefined;

beforeAll(async () => {
  dir = tempDir('prognos-export-fd001-');
  train = (await parseFleetFile(join(CMAPSS, 'train_FD001.txt'))).table;
  test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'), { rulPath: join(CMAPSS, 'RUL_FD001.txt') })).table;
  const config = parseTrainConfig({ seed: 5, topK: 24, manualFeatures: MANUAL, rankWithGain: false, models: ['gbdt'], gbdt: { nEstimators: 80, maxDepth: 6 } });
  r = await runTrainingPipeline(train, config);
  const f = engineerFeatures(train, r.featureState.spec, { state: r.featureState });
  const scaler = StandardScaler.fit(r.selected, r.selected.map((n) => f.columns[f.names.indexOf(n)]!), rowMaskFor(train, r.split.train));
  input = testBundleInput({
    runId: 'fd001-export',
    featureState: r.featureState,
    gbdt: r.gbdt,
    columns: train.columns,
    scaler: scaler.toJSON(),
    lstm: randomLstmWeights(r.selected.length, 16, 8, 8, 21),
    weight: 0.6,
    threshold: r.threshold,
    metrics: r.metrics,
    labelWindow: config.labelWindow,
    windowLength: config.historyWindow,
    seed: config.seed,
  });
  bundle = await writeBundle(input, join(dir, 'bundle'));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** The GBDT's features on every row of a table, row-major [rows, F] float32. */
function featureMatrix(table: FleetTable): Float32Array {
  const f = engineerFeatures(table, r.featureState.spec, { state: r.featureState });
  const cols = r.selected.map((n) => f.columns[f.names.indexOf(n)]!);
  const F = cols.length;
  const x = new Float32Array(table.rowCount * F);
  for (let i = 0; i < table.rowCount; i++) for (let c = 0; c < F; c++) x[i * F + c] = cols[c]![i]!;
  return x;
}

function columnsOf(x: Float32Array, rows: number, F: number): Float32Array[] {
  return Array.from({ length: F }, (_, c) => Float32Array.from({ length: rows }, (_, i) => x[i * F + c]!));
}

describe('FD001 export', () => {
  it('selected features of every kind', () => {
    const kinds = new Set(input.selected.map((n) => n.split('_')[1] ?? 'raw'));
    for (const k of ['raw', 'mean', 'std', 'min', 'max', 'slope', 'ewma', 'diff']) expect(kinds.has(k), k).toBe(true);
  });

  it('gbdt.onnx equals GbdtModel.predictProba on every FD001 test row within 1e-5', async () => {
    const F = r.selected.length;
    const x = featureMatrix(test);
    const want = r.gbdt.predictProba(columnsOf(x, test.rowCount, F), test.rowCount);
    const s = await InferenceSession.create(join(bundle.path, 'models', 'gbdt.onnx'));
    try {
      const out = await s.run({ features: new Tensor('float32', x, [test.rowCount, F]) });
      const p = out.probabilities!.data as Float32Array;
      const got = Float64Array.from({ length: test.rowCount }, (_, i) => p[2 * i + 1]!);
      const d = maxAbsDiff(got, want);
      console.log(`FD001 gbdt.onnx vs GbdtModel: ${test.rowCount} rows, ${r.gbdt.trees.length} trees, max |Δp| = ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-5);
      for (let i = 0; i < test.rowCount; i++) expect(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1)).toBeLessThan(1e-6);
    } finally {
      await s.release();
    }
  });

  itWith(PYTHON_XGBOOST)('gbdt.xgboost.json in python3-xgboost equals GbdtModel.predictProba within 1e-5', () => {
    const F = r.selected.length;
    const x = featureMatrix(test);
    const base = join(dir, 'fd001-test');
    writeFileSync(`${base}.x.f32`, x);
    const res = runPythonJson<{ version: string; p: number[] }>(
      String.raw`
import json, sys
import numpy as np
import xgboost as xgb
path, base, rows, F = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
b = xgb.Booster()
b.load_model(path)
X = np.fromfile(base + '.x.f32', dtype=np.float32).reshape(rows, F)
p = b.predict(xgb.DMatrix(X, feature_names=b.feature_names))
print(json.dumps({'version': xgb.__version__, 'p': [float(v) for v in p]}))
`,
      { args: [join(bundle.path, 'models', 'gbdt.xgboost.json'), base, String(test.rowCount), String(F)] },
    );
    const want = r.gbdt.predictProba(columnsOf(x, test.rowCount, F), test.rowCount);
    const d = maxAbsDiff(res.p, want);
    console.log(`FD001 gbdt.xgboost.json in xgboost ${res.version} vs GbdtModel: max |Δp| = ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-5);
  });

  itWith(PYTHON_ONNX)('every .onnx passes onnx.checker.check_model(full_check=True)', () => {
    const files = bundle.files.filter((f) => f.endsWith('.onnx')).map((f) => join(bundle.path, f));
    expect(files).toHaveLength(3);
    const res = onnxCheck(files);
    console.log(`onnx.checker (full_check): ${Object.entries(res).map(([k, v]) => `${k.slice(bundle.path.length + 1)} ${v}`).join(', ')}`);
    for (const f of files) expect(res[f], f).toBe('ok');
  });

  it('lstm.onnx equals the TypeScript reference forward pass of the Keras-layout weights within 1e-4', async () => {
    const names = input.scaler!.names;
    const f = engineerFeatures(test, r.featureState.spec, { state: r.featureState });
    const scaler = StandardScaler.fromJSON(input.scaler!);
    const scaled = scaler.transform(names.map((n) => f.columns[f.names.indexOf(n)]!));
    // every unit's last row, plus every 7th row (including rows near a unit's start: left padding)
    const rows: number[] = [];
    for (const s of unitSpans(test)) for (let i = s.start; i < s.end; i++) if (i === s.end - 1 || (i - s.start) % 7 === 0) rows.push(i);
    const w = buildWindows(scaled, test, Int32Array.from(rows), 30);
    const F = names.length;
    const s = await InferenceSession.create(join(bundle.path, 'models', 'lstm.onnx'));
    let got: Float32Array;
    try {
      const out = await s.run({ windows: new Tensor('float32', w.data, [w.n, 30, F]) });
      got = out.probability!.data as Float32Array;
    } finally {
      await s.release();
    }
    const ts = lstmReferenceBatch(input.lstm!, w.data, w.n, 30, F);
    const dTs = maxAbsDiff(got, ts);
    console.log(`FD001 lstm.onnx (${w.n} windows, ${w.padded} padded): max |Δp| vs TypeScript reference ${dTs.toExponential(2)}`);
    lstmOnnx = { w, F, got };
    expect(dTs).toBeLessThan(1e-4);
  });

  itWith(PYTHON_NUMPY)('lstm.onnx equals a numpy forward pass of the Keras-layout weights (the mean of every network) within 1e-4', () => {
    if (lstmOnnx === undefined) throw new Error('the lstm.onnx outputs come from the previous test, which did not finish');
    const { w, F, got } = lstmOnnx;
    const base = join(dir, 'lstm');
    writeFileSync(`${base}.x.f32`, w.data);
    // every network the model averages (the default trains several seeds), each in the Keras layout
    const arr = (t: { data: ArrayLike<number> }): number[] => Array.from(t.data);
    const nets = membersOf(input.lstm!).map((l) => ({
      k1: arr(l.lstm1.kernel), r1: arr(l.lstm1.recurrentKernel), b1: arr(l.lstm1.bias), u1: l.lstm1.recurrentKernel.shape[0],
      k2: arr(l.lstm2.kernel), r2: arr(l.lstm2.recurrentKernel), b2: arr(l.lstm2.bias), u2: l.lstm2.recurrentKernel.shape[0],
      W: arr(l.attention.W), b: arr(l.attention.b), v: arr(l.attention.v), a: l.attention.W.shape[1],
      dk: arr(l.dense.kernel), db: arr(l.dense.bias),
    }));
    writeFileSync(`${base}.json`, JSON.stringify({ n: w.n, T: 30, F, nets }));
    const np = runPythonJson<number[]>(
      String.raw`
import json, sys
import numpy as np
base = sys.argv[1]
w = json.load(open(base + '.json'))
n, T, F = w['n'], w['T'], w['F']
X = np.fromfile(base + '.x.f32', dtype=np.float32).astype(np.float64).reshape(n, T, F)
sig = lambda z: 1.0 / (1.0 + np.exp(-z))
def lstm(X, k, r, b, u):
    k = np.array(k).reshape(-1, 4 * u); r = np.array(r).reshape(u, 4 * u); b = np.array(b)
    h = np.zeros((X.shape[0], u)); c = np.zeros((X.shape[0], u)); out = []
    for t in range(X.shape[1]):
        z = X[:, t, :] @ k + h @ r + b          # Keras gate order i, f, c, o
        i, f, g, o = sig(z[:, :u]), sig(z[:, u:2*u]), np.tanh(z[:, 2*u:3*u]), sig(z[:, 3*u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)
def net(m):
    H = lstm(lstm(X, m['k1'], m['r1'], m['b1'], m['u1']), m['k2'], m['r2'], m['b2'], m['u2'])
    a = m['a']
    score = np.tanh(H @ np.array(m['W']).reshape(-1, a) + np.array(m['b'])) @ np.array(m['v']).reshape(a, 1)
    alpha = np.exp(score - score.max(axis=1, keepdims=True)); alpha /= alpha.sum(axis=1, keepdims=True)
    ctx = (alpha * H).sum(axis=1)
    return sig(ctx @ np.array(m['dk']).reshape(-1, 1) + np.array(m['db']))[:, 0]
p = np.mean([net(m) for m in w['nets']], axis=0)
print(json.dumps([float(x) for x in p]))
`,
      { args: [base] },
    );
    const dNp = maxAbsDiff(got, np);
    console.log(`FD001 lstm.onnx (${w.n} windows): max |Δp| vs numpy ${dNp.toExponential(2)}`);
    expect(dNp).toBeLessThan(1e-4);
  });

  it('pipeline.onnx equals the TypeScript features and models on FD001 test units, whole and cut short, within 1e-4', async () => {
    const contract = pipelineContract({ ...input, gbdtInput: 'engineered', window: input.windowLength, lstmFeatures: input.scaler!.names });
    expect(contract.requiresFullHistory).toBe(true);
    expect(contract.minHistoryRows).toBe(59);
    const s = await InferenceSession.create(join(bundle.path, 'models', 'pipeline.onnx'));
    const cuts: [string, FleetTable][] = [
      ['whole units', test],
      // lengths from 1 row to past H = 59, so that many units have less history than the features need
      ['cut to 1–64 rows', truncateUnits(test, (u) => 1 + ((u * 13) % 64))],
      ['cut to 25–35 rows', truncateUnits(test, (u) => 25 + (u % 11))],
    ];
    try {
      for (const [label, table] of cuts) {
        const ref = referenceScores(table, { ...input, window: input.windowLength });
        const feeds = pipelineFeeds(table, contract.historyColumns);
        const out = await s.run({
          history: new Tensor('float64', feeds.history, [feeds.n, feeds.T, feeds.C]),
          cycles: new Tensor('float64', feeds.cycles, [feeds.n, feeds.T]),
          valid: new Tensor('int64', feeds.valid, [feeds.n]),
        });
        const prob = out.probability!.data as Float32Array;
        const parts = out.parts!.data as Float32Array;
        const feats = out.features!.data as Float32Array;
        const F = input.selected.length;
        let same = 0;
        let worstRel = 0;
        ref.features.forEach((row, k) =>
          row.forEach((v, j) => {
            const g = feats[k * F + j]!;
            if (g === v) same++;
            else worstRel = Math.max(worstRel, Math.abs(g - v) / Math.max(1, Math.abs(v)));
          }),
        );
        const dP = maxAbsDiff(prob, ref.probability);
        const dG = maxAbsDiff(Float64Array.from(ref.units, (_, k) => parts[2 * k]!), ref.gbdt);
        const dL = maxAbsDiff(Float64Array.from(ref.units, (_, k) => parts[2 * k + 1]!), ref.lstm!);
        const shortUnits = Array.from(feeds.valid).filter((v) => v < 59n).length;
        console.log(
          `FD001 pipeline.onnx, ${label}: ${feeds.n} units (${shortUnits} with < 59 rows), T = ${feeds.T}; features bit-identical ${same}/${ref.features.length * F} (worst relative gap ${worstRel.toExponential(1)}); max |Δp| ensemble ${dP.toExponential(2)}, gbdt ${dG.toExponential(2)}, lstm ${dL.toExponential(2)}`,
        );
        expect(worstRel).toBeLessThan(1e-6);
        expect(dP).toBeLessThan(1e-4);
        expect(dG).toBeLessThan(1e-4);
        expect(dL).toBeLessThan(1e-4);
      }
    } finally {
      await s.release();
    }
  });

  it('BundleScorer gives the same scores with both engines, from the folder and from the zip', async () => {
    const zip = await writeBundle(input, join(dir, 'bundle'), { zip: true });
    const ref = referenceScores(test, { ...input, window: input.windowLength });
    const a = await BundleScorer.open(bundle.path);
    const b = await BundleScorer.open(zip.path, { engine: 'pipeline' });
    try {
      const sa = await a.scoreUnits(test);
      const sb = await b.scoreUnits(test);
      const dAB = maxAbsDiff(sa.map((x) => x.probability), sb.map((x) => x.probability));
      const dRef = maxAbsDiff(sa.map((x) => x.probability), ref.probability);
      console.log(`FD001 BundleScorer: models vs pipeline engine max |Δp| ${dAB.toExponential(2)}; models engine vs in-app ${dRef.toExponential(2)}`);
      expect(dAB).toBeLessThan(1e-5);
      expect(dRef).toBeLessThan(1e-5);
      expect(sa.map((x) => x.alert)).toEqual(sb.map((x) => x.alert));
      expect(sa.map((x) => x.cycle)).toEqual(ref.cycles);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
