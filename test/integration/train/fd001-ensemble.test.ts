/**
 * The two-model recipe on real data: FD001 train split by unit, default config (GBDT + LSTM with
 * attention, ensemble tuned on validation), scored on the official test set.
 *
 * The run is the shared FD001 fixture's (test/helpers/fd001-store.ts: `prognos train` with the default
 * config and seed 1, trained once for every test file that needs it); its models and its recorded
 * outcome (thresholds, weight, metrics, validation scores) are read back from the store.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile, type ParsedFleet } from '../../../src/main/core/data/import-file';
import { scoreOfficial } from '../../../src/main/core/eval/official';
import { OUTCOME_ARTIFACT } from '../../../src/main/core/pipeline/saved-run';
import { scoreRows, type PipelineResult } from '../../../src/main/core/pipeline/train';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { EventBus } from '../../../src/main/services/events';
import { TrainingService } from '../../../src/main/services/training';
import { buildTrained, releaseTrained, type TrainedRun } from '../../../src/main/workers/trained-run';
import { applyCalibration } from '../../../src/main/core/eval/calibration';
import { bestBlendByCounting, bestThresholdByCounting, blendByHand } from '../../helpers/f-beta-oracle';
import { copyFd001Store } from '../../helpers/fd001-store';
import { CMAPSS, tempDir } from '../../helpers/paths';

/** what the run's outcome artifact keeps of the pipeline's result */
type Outcome = Pick<PipelineResult, 'threshold' | 'thresholds' | 'weight' | 'metrics' | 'validationScores'> & { lstm?: { bestEpoch: number; backend: string; members: { seed: number; bestEpoch: number }[] } };

let test: ParsedFleet;
let run: TrainedRun | undefined;
let r: Outcome;

beforeAll(async () => {
  const fx = await copyFd001Store(tempDir());
  const store = ExperimentStore.open(fx.store);
  try {
    const record = store.getRun(fx.runId)!;
    expect(record.config).toMatchObject({ seed: 1 });
    r = JSON.parse(store.getArtifact(fx.runId, OUTCOME_ARTIFACT)!.data.toString('utf8')) as Outcome;
    run = await buildTrained(new TrainingService(store, new EventBus(), '').artifacts(fx.runId));
  } finally {
    store.close();
  }
  test = await parseFleetFile(join(CMAPSS, 'test_FD001.txt'), { rulPath: join(CMAPSS, 'RUL_FD001.txt') });
}, 900_000);

afterAll(() => {
  if (run !== undefined) releaseTrained(run);
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('FD001 with GBDT + LSTM and the tuned ensemble (default config)', () => {
  it('meets the official targets; the ensemble is the best blend of the validation scores and holds its own against each model on held-out units', () => {
    expect(r.lstm).toBeDefined();
    expect(run!.lstm).toBeDefined();
    const calibration = run!.calibration ?? { method: 'none' as const };
    // the run's blend and its calibration (the ensemble's threshold is on the calibrated scale), as `prognos evaluate` scores it
    const p = scoreRows(test.table, { featureState: run!.featureState, selected: run!.selected, gbdt: run!.gbdt, lstm: run!.lstm!, weight: r.weight, calibration });
    const lstm = scoreOfficial(test.table, p.lstm!, r.thresholds.lstm!);
    const gbdt = scoreOfficial(test.table, p.gbdt, r.thresholds.gbdt!);
    const ensemble = scoreOfficial(test.table, p.probability, r.threshold);
    const line = (name: string, m: PipelineResult['metrics']['gbdt'], o: ReturnType<typeof scoreOfficial>): string =>
      `${name.padEnd(9)} validation F2 ${m!.validation.f2?.toFixed(3)} | test split F2 ${m!.test?.f2?.toFixed(3)} | official last-cycle F2 ${o.lastCycle.f2?.toFixed(3)} AUC ${o.lastCycle.rocAuc?.toFixed(4)} | all-cycles F2 ${o.allCycles.f2?.toFixed(3)} AUC ${o.allCycles.rocAuc?.toFixed(4)}`;
    console.log([line('gbdt', r.metrics.gbdt, gbdt), line('lstm', r.metrics.lstm, lstm), line('ensemble', r.metrics.ensemble, ensemble), `weight ${r.weight}, calibration ${calibration.method}, best epoch ${r.lstm!.bestEpoch}, backend ${r.lstm!.backend}`].join('\n'));
    expect(lstm.allCycles.rocAuc).toBeGreaterThanOrEqual(0.99);
    // the weight is the grid weight whose blend of the raw validation probabilities has the lowest log-loss
    // (ensemble.criterion 'log-loss', the default), recounted here; the threshold, the best F2 recounted on
    // the calibrated blend (the blend itself when no calibration was chosen)
    const v = r.validationScores;
    const logLoss = (w: number): number => {
      const p = blendByHand(v.gbdt!, v.lstm!, w);
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]!));
        s -= v.label[i] === 1 ? Math.log(q) : Math.log(1 - q);
      }
      return s / p.length;
    };
    const grid = Array.from({ length: 21 }, (_, k) => ({ w: Math.round(k * 5) / 100, loss: logLoss(Math.round(k * 5) / 100) }));
    const lowest = grid.reduce((a, b) => (b.loss < a.loss ? b : a));
    expect(r.weight).toBeCloseTo(lowest.w, 9);
    // it is not the F2 grid's choice on this run: the criterion matters
    expect(bestBlendByCounting(v.gbdt!, v.lstm!, v.label, 20).weight).not.toBeCloseTo(r.weight, 9);
    const calibrated = applyCalibration(calibration, blendByHand(v.gbdt!, v.lstm!, r.weight));
    expect(maxAbsDiff(calibrated, v.ensemble!)).toBeLessThan(1e-9);
    const t = bestThresholdByCounting(v.ensemble!, v.label);
    expect(r.threshold).toBe(t.threshold);
    expect(r.metrics.ensemble!.validation.f2).toBeCloseTo(t.f, 12);
    // on the held-out test units, which the choice never saw, the blend beats the weaker model and is
    // within 0.01 of the stronger (seed 1 on wasm: ensemble 0.967, GBDT 0.955, LSTM of three networks
    // 0.958; over seeds 1–12 the blend is ahead of both on average, docs/fd001-recipe.md)
    const testF2 = (m: PipelineResult['metrics']['gbdt']): number => m!.test!.f2!;
    const single = [testF2(r.metrics.gbdt), testF2(r.metrics.lstm)];
    expect(testF2(r.metrics.ensemble)).toBeGreaterThan(Math.min(...single));
    expect(testF2(r.metrics.ensemble)).toBeGreaterThan(Math.max(...single) - 0.01);
    // the targets (seed 1 on wasm: F2 0.895, ROC-AUC 0.9979; seed 42, the default, 0.932 / 0.9986)
    expect(ensemble.allCycles.f2).toBeGreaterThanOrEqual(0.88);
    expect(ensemble.allCycles.rocAuc).toBeGreaterThanOrEqual(0.997);
    // three LSTM networks averaged (lstm.members), each with its own seed and best epoch
    expect(r.lstm!.members.map((m) => m.seed)).toEqual([1, 2, 3]);
  });
});
