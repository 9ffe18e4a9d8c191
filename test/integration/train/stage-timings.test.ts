/**
 * The stage times a run records (what `npm run bench -- train-fd001` compares with the Python stack):
 * one entry per stage in run order, together covering the whole pipeline call.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline } from '../../../src/main/core/pipeline/train';

const small = {
  seed: 5,
  features: { windows: [5, 10] },
  topK: 8,
  gbdt: { nEstimators: 20, maxDepth: 3 },
  lstm: { units1: 6, units2: 4, attentionUnits: 4, epochs: 1, batchSize: 128 },
  rul: { cap: 100, gbdt: { nEstimators: 40, maxDepth: 3, eta: 0.1, earlyStoppingRounds: 10 }, seeds: 2 },
};

async function timed(models: ('gbdt' | 'lstm')[]): Promise<{ timings: Record<string, number>; wall: number }> {
  const table = synthesizeFleet({ units: 24, seed: 5 });
  const t0 = performance.now();
  const r = await runTrainingPipeline(table, parseTrainConfig({ ...small, models }));
  const wall = (performance.now() - t0) / 1000;
  r.lstm?.model.dispose();
  r.rul?.lstmModel?.dispose();
  return { timings: r.timings, wall };
}

function expectPartition(timings: Record<string, number>, wall: number): void {
  for (const [k, v] of Object.entries(timings)) expect(Number.isFinite(v) && v >= 0, `${k} = ${v}`).toBe(true);
  const sum = Object.values(timings).reduce((a, b) => a + b, 0);
  // the stages follow one another from the call's start to its end: nothing is counted twice or left out
  expect(sum).toBeLessThanOrEqual(wall + 1e-6);
  expect(wall - sum).toBeLessThan(0.5);
}

describe('stage timings of a training run', () => {
  it('with both models: features, ranking, GBDT, LSTM, RUL trees, RUL LSTM head, evaluation, calibration', async () => {
    const { timings, wall } = await timed(['gbdt', 'lstm']);
    expect(Object.keys(timings)).toEqual(['featuresSeconds', 'rankingSeconds', 'gbdtSeconds', 'lstmSeconds', 'rulGbdtSeconds', 'rulLstmSeconds', 'evaluateSeconds', 'calibrationSeconds']);
    expect(timings.rulGbdtSeconds).toBeGreaterThan(0);
    expect(timings.rulLstmSeconds).toBeGreaterThan(0);
    expectPartition(timings, wall);
  }, 600_000);

  it('GBDT only: the RUL stage is all trees and there is no LSTM entry', async () => {
    const { timings, wall } = await timed(['gbdt']);
    expect(Object.keys(timings)).toEqual(['featuresSeconds', 'rankingSeconds', 'gbdtSeconds', 'rulGbdtSeconds', 'evaluateSeconds', 'calibrationSeconds']);
    expectPartition(timings, wall);
  }, 600_000);
});
