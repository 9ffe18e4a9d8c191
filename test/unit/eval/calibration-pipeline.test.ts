/**
 * Calibration in the training pipeline on a synthetic fleet: fitted on the validation units only, it
 * lowers the log-loss of the headline probability on test units it never saw; the reported metrics,
 * threshold and validation scores are those of the calibrated probability; `scoreRows` (what evaluate,
 * predict --run and the score worker use) applies the same calibration.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { applyCalibration, logLoss, reliability } from '../../../src/main/core/eval/calibration';
import { fullWindowRows } from '../../../src/main/core/eval/official';
import { computeMetrics, tuneThreshold } from '../../../src/main/core/eval/metrics';
import { failWithin, rulPerRow } from '../../../src/main/core/labels';
import { parseTrainConfig, type TrainConfigInput } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, scoreRows, type PipelineResult } from '../../../src/main/core/pipeline/train';

const base: TrainConfigInput = {
  seed: 3,
  models: ['gbdt'],
  rankWithGain: false,
  topK: 12,
  // weighting the rare failing rows up makes the raw probabilities over-confident: something to calibrate
  gbdt: { nEstimators: 40, maxDepth: 4, earlyStoppingRounds: 0, scalePosWeight: 'balanced' },
};

let table: FleetTable;
let auto: PipelineResult;

function testRows(t: FleetTable, r: PipelineResult): Int32Array {
  const test = new Set(r.split.test);
  return fullWindowRows(t, 30).filter((i) => test.has(t.unit[i]!));
}

/** log-loss of the raw and the calibrated headline probability on the run's test units */
function heldOut(t: FleetTable, r: PipelineResult): { raw: number; calibrated: number; p: Float64Array; y: Uint8Array } {
  const rows = testRows(t, r);
  const label = failWithin(rulPerRow(t), 30);
  const y = Uint8Array.from(rows, (i) => label[i]!);
  const models = { featureState: r.featureState, selected: r.selected, gbdt: r.gbdt, weight: 1 };
  const raw = scoreRows(t, models, rows).probability;
  const p = scoreRows(t, { ...models, calibration: r.calibration.params }, rows).probability;
  return { raw: logLoss(raw, y), calibrated: logLoss(p, y), p, y };
}

beforeAll(async () => {
  table = synthesizeFleet({ units: 120, seed: 21 });
  auto = await runTrainingPipeline(table, parseTrainConfig(base));
});

describe('calibration in the training pipeline', () => {
  it('lowers the log-loss and the ECE on the held-out test units', () => {
    const c = auto.calibration;
    expect(c.requested).toBe('auto');
    expect(c.chosenBy).toBe('cv');
    expect(c.model).toBe('gbdt');
    expect(c.folds).toBe(5);
    expect(c.method).not.toBe('none');
    expect(c.cv.find((m) => m.method === c.method)!.logLoss).toBeLessThan(c.cv.find((m) => m.method === 'none')!.logLoss);
    const h = heldOut(table, auto);
    expect(h.calibrated).toBeLessThan(h.raw);
    expect(c.ece.test!).toBeLessThan(c.uncalibrated.ece.test!);
    // the run's figures are those of these very probabilities
    expect(c.ece.test).toBeCloseTo(reliability(h.p, h.y).ece!, 12);
    expect(auto.metrics.gbdt!.test!.brier).toBeCloseTo(computeMetrics(h.p, h.y, auto.threshold).brier!, 12);
  });

  it('does not raise the held-out log-loss on other fleets (lower over all of them)', async () => {
    let raw = 0;
    let calibrated = 0;
    for (const seed of [5, 8]) {
      const t = synthesizeFleet({ units: 120, seed });
      const h = heldOut(t, await runTrainingPipeline(t, parseTrainConfig(base)));
      expect(h.calibrated).toBeLessThanOrEqual(h.raw * 1.02);
      raw += h.raw;
      calibrated += h.calibrated;
    }
    expect(calibrated).toBeLessThan(raw);
  });

  it('tunes the headline threshold on the calibrated validation probabilities', () => {
    const v = Float64Array.from(auto.validationScores.gbdt!);
    expect(auto.threshold).toBe(tuneThreshold(v, auto.validationScores.label, 2));
    expect(auto.metrics.gbdt!.validation.threshold).toBe(auto.threshold);
    expect(auto.calibration.reliability.validation.reduce((s, b) => s + b.count, 0)).toBe(v.length);
  });

  it('takes the method the config names, and none leaves the probabilities as they are', async () => {
    const platt = await runTrainingPipeline(table, parseTrainConfig({ ...base, calibration: { method: 'platt' } }));
    expect(platt.calibration).toMatchObject({ method: 'platt', chosenBy: 'config', cv: [] });
    const none = await runTrainingPipeline(table, parseTrainConfig({ ...base, calibration: { method: 'none' } }));
    expect(none.calibration.params).toEqual({ method: 'none' });
    expect(none.calibration.ece).toEqual(none.calibration.uncalibrated.ece);
    // same model, same split: the Platt run's validation scores are the none run's, calibrated
    const p = applyCalibration(platt.calibration.params, none.validationScores.gbdt!);
    platt.validationScores.gbdt!.forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 12));
  });

  it('refuses an unknown method naming the option', () => {
    expect(() => parseTrainConfig({ calibration: { method: 'beta' } })).toThrow(/calibration\.method/);
  });
});
