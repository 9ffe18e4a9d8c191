/**
 * A trained run with its RUL models (the regression GBDT and the LSTM's fractional head) exported as
 * a bundle: gbdt-rul.onnx, lstm-rul.onnx and pipeline.onnx give
 * the RUL and interval the run gives in the app (scoreRows, as `predict --run` and the Fleet view use
 * it), on held-out units cut short.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { writeBundle } from '../../../src/main/core/export/bundle';
import { rulForExport } from '../../../src/main/core/export/from-run';
import { BundleScorer } from '../../../src/main/core/export/score';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, scoreRows, type TrainedModels } from '../../../src/main/core/pipeline/train';
import type { RowRul } from '../../../src/main/core/rul/train-rul';
import type { RulInterval } from '../../../src/main/core/rul/types';
import { testBundleInput, truncateUnits } from '../../helpers/onnx-fixtures';
import { tempDir } from '../../helpers/paths';

let dir = '';
let bundle = '';
let fleet: FleetTable;
let want: RowRul;
let interval: RulInterval;
let models: TrainedModels;

beforeAll(async () => {
  dir = tempDir('prognos-rul-run-export-');
  const table = synthesizeFleet({ units: 40, seed: 11 });
  const config = parseTrainConfig({
    seed: 11,
    features: { windows: [5, 10] },
    topK: 10,
    rankWithGain: false,
    models: ['gbdt', 'lstm'],
    gbdt: { nEstimators: 30, maxDepth: 3 },
    lstm: { units1: 8, units2: 6, attentionUnits: 4, epochs: 2, batchSize: 128 },
    rul: { cap: 100 },
  });
  const r = await runTrainingPipeline(table, config);
  expect(r.lstm).toBeDefined();
  // with the LSTM in the models the RUL stage trains its fractional head too
  expect(r.rul?.lstmModel).toBeDefined();
  const rul = r.rul!;
  interval = rul.interval;
  models = {
    featureState: r.featureState,
    selected: r.selected,
    gbdt: r.gbdt,
    lstm: { model: r.lstm!.model, scaler: r.lstm!.scaler },
    weight: r.weight,
    rul: { gbdt: rul.gbdt, ...(rul.lstmModel === undefined ? {} : { lstm: rul.lstmModel }), weight: rul.weight, cap: rul.cap, interval: rul.interval, intervals: rul.intervals },
  };
  const input = testBundleInput({
    featureState: r.featureState,
    gbdt: r.gbdt,
    columns: table.columns,
    threshold: r.threshold,
    windowLength: config.historyWindow,
    scaler: r.lstm!.scaler,
    lstm: r.lstm!.model.exportWeights(),
    weight: r.weight,
    rul: rulForExport(models.rul!),
  });
  bundle = (await writeBundle(input, join(dir, 'bundle'))).path;
  // held-out units of the same generator, cut at different points of their lives
  fleet = truncateUnits(synthesizeFleet({ units: 14, seed: 12 }), (u, rows) => Math.max(6, Math.round(rows * (0.25 + 0.05 * u))));
  want = scoreRows(fleet, models, Int32Array.from(unitSpans(fleet), (s) => s.end - 1)).rul!;
}, 600_000);

afterAll(() => {
  models?.lstm?.model.dispose();
  models?.rul?.lstm?.dispose();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('a run with RUL models, exported', () => {
  it('records the run’s cap, weight and interval, with its RUL model files', async () => {
    const s = await BundleScorer.open(bundle);
    const m = s.manifest;
    await s.close();
    expect(m.rul).toMatchObject({ cap: 100, weight: models.rul!.weight, interval });
    expect(m.rul!.files.lstm?.file).toBe('models/lstm-rul.onnx');
    expect(interval.bins.length).toBeGreaterThan(0);
  });

  it('the models and pipeline engines give the run’s RUL and interval', async () => {
    const edges = interval.bins.flatMap((b) => (b.upTo === null ? [] : [b.upTo]));
    expect(new Set(Array.from(want.value, (v) => Math.round(v))).size).toBeGreaterThan(5);
    for (const engine of ['models', 'pipeline'] as const) {
      const s = await BundleScorer.open(bundle, { engine });
      const units = await s.scoreUnits(fleet);
      await s.close();
      const worst = (k: 'rul' | 'rulLow' | 'rulHigh', ref: Float64Array): number => Math.max(...units.map((u, i) => Math.abs(u[k]! - ref[i]!)));
      console.log(
        `RUL export parity (${engine} engine vs the run in the app, ${units.length} units): max |Δrul| = ${worst('rul', want.value).toExponential(2)}, ` +
          `max |ΔrulLow| = ${worst('rulLow', want.low).toExponential(2)}, max |ΔrulHigh| = ${worst('rulHigh', want.high).toExponential(2)} cycles`,
      );
      units.forEach((u, k) => {
        const v = want.value[k]!;
        const tol = 1e-3 * Math.max(1, Math.abs(v));
        expect(Math.abs(u.rul! - v), `${engine} unit ${u.unit}: ${u.rul} vs ${v}`).toBeLessThanOrEqual(tol);
        // a prediction within rounding of a bin edge may fall on either side of it
        if (edges.some((e) => Math.abs(e - v) < 1e-2)) return;
        expect(Math.abs(u.rulLow! - want.low[k]!), `${engine} unit ${u.unit} low`).toBeLessThanOrEqual(tol);
        expect(Math.abs(u.rulHigh! - want.high[k]!), `${engine} unit ${u.unit} high`).toBeLessThanOrEqual(tol);
      });
    }
  });
});
