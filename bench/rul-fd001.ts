/**
 * `npm run bench -- rul-fd001`: remaining useful life on FD001. The default config trains on
 * train_FD001 (units split 70/15/15, everything chosen on the validation units), then each test
 * unit of test_FD001 is scored at its last cycle against RUL_FD001 (true RUL uncapped), as
 * `prognos evaluate` does. Reference, measured in the same run: python3-xgboost reg:squarederror on
 * the same rolling features (the pipeline's engineered and selected features, fitted on the
 * training units), the same target min(RUL, cap), trained on the same training rows; its depth and
 * number of rounds chosen by RMSE on the same validation units' full-window rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { unitSpans } from '../src/main/core/data/table';
import { lastCycleRows, officialLabels, pickRows, fullWindowRows } from '../src/main/core/eval/official';
import { engineerFeatures } from '../src/main/core/features/engineer';
import { parseTrainConfig } from '../src/main/core/pipeline/config';
import { prepareFeatures, runTrainingPipeline, scoreRows } from '../src/main/core/pipeline/train';
import { applyInterval, cappedTarget, rulMetrics } from '../src/main/core/rul/metrics';
import type { RulMetrics } from '../src/main/core/rul/types';
import { selectBackend } from '../src/main/core/models/lstm';
import type { Benchmark, Figure } from './figures';
import { PYTHON, pythonHas, runPythonJson } from './python';

const CMAPSS = resolve(__dirname, '..', '..', 'shared', 'data', 'cmapss');

const XGB_SCRIPT = String.raw`
import json, sys
import numpy as np
import xgboost as xgb
req = json.loads(sys.argv[1])
F = req['features']
def load(name):
    n = req['rows'][name]
    X = np.fromfile(req['base'] + '/' + name + '.x.f32', dtype=np.float32).reshape(n, F)
    y = np.fromfile(req['base'] + '/' + name + '.y.f32', dtype=np.float32)
    return X, y
Xt, yt = load('train'); Xv, yv = load('valid'); Xs, _ = load('test')
dt = xgb.DMatrix(Xt, label=yt); dv = xgb.DMatrix(Xv, label=yv); ds = xgb.DMatrix(Xs)
best = None
for depth in req['depths']:
    params = {'objective': 'reg:squarederror', 'tree_method': 'hist', 'eval_metric': 'rmse', 'max_depth': depth,
              'eta': 0.05, 'subsample': 0.8, 'colsample_bytree': 0.8, 'seed': req['seed'], 'nthread': 2, 'verbosity': 0}
    b = xgb.train(params, dt, num_boost_round=2000, evals=[(dv, 'valid')], early_stopping_rounds=50, verbose_eval=False)
    rmse = float(b.best_score)
    if best is None or rmse < best[0]:
        best = (rmse, depth, b.best_iteration, b)
rmse, depth, it, b = best
pred = b.predict(ds, iteration_range=(0, it + 1))
print(json.dumps({'version': xgb.__version__, 'validRmse': rmse, 'depth': depth, 'rounds': it + 1, 'pred': [float(v) for v in pred]}))
`;

function write(base: string, name: string, columns: readonly Float32Array[], rows: Int32Array, y: Float32Array): void {
  const F = columns.length;
  const x = new Float32Array(rows.length * F);
  for (let k = 0; k < rows.length; k++) for (let f = 0; f < F; f++) x[k * F + f] = columns[f]![rows[k]!]!;
  writeFileSync(join(base, `${name}.x.f32`), x);
  writeFileSync(join(base, `${name}.y.f32`), y);
}

function rowsOf(table: { rowCount: number; unit: Int32Array }, units: readonly number[]): Int32Array {
  const wanted = new Set(units);
  const out: number[] = [];
  for (const s of unitSpans(table)) if (wanted.has(s.unit)) for (let i = s.start; i < s.end; i++) out.push(i);
  return Int32Array.from(out);
}

export const rulFd001: Benchmark = {
  name: 'rul-fd001',
  run: async () => {
    const train = (await parseFleetFile(join(CMAPSS, 'train_FD001.txt'))).table;
    const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'), { rulPath: join(CMAPSS, 'RUL_FD001.txt') })).table;
    const config = parseTrainConfig({});
    await selectBackend();
    const r = await runTrainingPipeline(train, config);
    const rul = r.rul!;
    const last = lastCycleRows(test);
    const truth = pickRows(officialLabels(test, config.labelWindow).rul, last);
    const scored = scoreRows(
      test,
      {
        featureState: r.featureState,
        selected: r.selected,
        gbdt: r.gbdt,
        ...(r.lstm === undefined ? {} : { lstm: { model: r.lstm.model, scaler: r.lstm.scaler } }),
        weight: r.weight,
        rul: { gbdt: rul.gbdt, ...(rul.lstmModel === undefined ? {} : { lstm: rul.lstmModel }), weight: rul.weight, cap: rul.cap, interval: rul.interval, intervals: rul.intervals },
      },
      last,
    );
    const ours: Partial<Record<'gbdt' | 'lstm' | 'ensemble', RulMetrics>> = {};
    const withInterval = (model: 'gbdt' | 'lstm' | 'ensemble', v: Float64Array): RulMetrics => rulMetrics(v, truth, applyInterval(rul.intervals[model]!, v));
    ours.gbdt = withInterval('gbdt', scored.rul!.gbdt);
    if (scored.rul!.lstm !== undefined) {
      ours.lstm = withInterval('lstm', scored.rul!.lstm);
      ours.ensemble = withInterval('ensemble', scored.rul!.value);
    }
    const head = ours.ensemble ?? ours.gbdt;
    const val = rul.metrics.ensemble?.validation ?? rul.metrics.gbdt!.validation;
    const note = [
      `test_FD001 last cycles, n ${head.n}, true RUL uncapped, cap ${rul.cap}`,
      ...Object.entries(ours).map(([m, v]) => `${m} RMSE ${v.rmse.toFixed(2)} PHM08 ${v.phm08.toFixed(0)} coverage ${v.coverage?.toFixed(2) ?? '—'}`),
      `RUL weight ${rul.weight.toFixed(2)} on the GBDT (validation RMSE)`,
      `validation cut-cycle RMSE ${val.rmse.toFixed(2)}`,
    ].join('; ');

    // the reference: python3-xgboost regression on the same features, target and units
    let reference: { rmse: number; phm08: number; name: string; note: string } | undefined;
    if (pythonHas('xgboost')) {
      const prepared = prepareFeatures(train, config);
      const index = new Map(prepared.features.names.map((n, i) => [n, i]));
      const cols = r.selected.map((n) => prepared.features.columns[index.get(n)!]!);
      const testFeatures = engineerFeatures(test, r.featureState.spec, { state: r.featureState });
      const testIndex = new Map(testFeatures.names.map((n, i) => [n, i]));
      const testCols = r.selected.map((n) => testFeatures.columns[testIndex.get(n)!]!);
      const target = cappedTarget(prepared.rul, config.rul.cap);
      const trainRows = rowsOf(train, prepared.split.train);
      const validWanted = new Set(prepared.split.validation);
      const validRows = fullWindowRows(train, config.historyWindow).filter((i) => validWanted.has(train.unit[i]!));
      const base = mkdtempSync(join(tmpdir(), 'prognos-rul-bench-'));
      try {
        write(base, 'train', cols, trainRows, Float32Array.from(trainRows, (i) => target[i]!));
        write(base, 'valid', cols, validRows, Float32Array.from(validRows, (i) => target[i]!));
        write(base, 'test', testCols, last, new Float32Array(last.length));
        const x = runPythonJson<{ version: string; validRmse: number; depth: number; rounds: number; pred: number[] }>(XGB_SCRIPT, [
          JSON.stringify({ base, features: cols.length, rows: { train: trainRows.length, valid: validRows.length, test: last.length }, depths: [4, 6, 8], seed: config.seed }),
        ]);
        const m = rulMetrics(x.pred, truth);
        reference = { rmse: m.rmse, phm08: m.phm08, name: `python3-xgboost ${x.version} reg:squarederror`, note: `reference depth ${x.depth}, ${x.rounds} rounds (validation RMSE ${x.validRmse.toFixed(2)})` };
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    } else {
      console.error(`bench rul-fd001: no reference (${PYTHON} has no xgboost module)`);
    }
    r.lstm?.model.dispose();
    rul.lstmModel?.dispose();
    const figure = (name: string, value: number, refValue: number | undefined): Figure => ({
      name,
      value,
      unit: name.endsWith('rmse') ? 'cycles' : 'score',
      ...(reference === undefined || refValue === undefined ? {} : { reference: { name: reference.name, value: refValue, unit: name.endsWith('rmse') ? 'cycles' : 'score' } }),
      note: name.endsWith('rmse') ? `${note}${reference === undefined ? '' : `; ${reference.note}`}` : 'Σ exp(−d/13) − 1 early, exp(d/10) − 1 late; lower is better',
    });
    return [figure('rul-fd001-rmse', head.rmse, reference?.rmse), figure('rul-fd001-phm08', head.phm08, reference?.phm08)];
  },
};
