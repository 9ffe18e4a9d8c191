/**
 * The training pipeline's RUL stage with `rul.folds`: the RUL trees cross-fitted over the training and
 * validation units, averaged into the run's one RUL GBDT; validation figures from out-of-fold
 * predictions, test figures from the averaged model. A small synthetic fleet, GBDT only.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, scoreRows } from '../../../src/main/core/pipeline/train';

const table = synthesizeFleet({ units: 24, seed: 11 });
const base = {
  seed: 3,
  models: ['gbdt'],
  topK: 8,
  rankWithGain: false,
  gbdt: { nEstimators: 20, maxDepth: 4 },
  rul: { cap: 100, gbdt: { nEstimators: 60, maxDepth: 4, eta: 0.2, earlyStoppingRounds: 10 }, seeds: 2 },
};

async function trained(folds: number) {
  const config = parseTrainConfig({ ...base, rul: { ...base.rul, folds } });
  const r = await runTrainingPipeline(table, config);
  const rul = r.rul!;
  const models = { featureState: r.featureState, selected: r.selected, gbdt: r.gbdt, weight: 1, rul: { gbdt: rul.gbdt, weight: rul.weight, cap: rul.cap, interval: rul.interval, intervals: rul.intervals } };
  const rowOf = (unit: number, cycle: number): number => {
    for (let i = 0; i < table.rowCount; i++) if (table.unit[i] === unit && table.cycle[i] === cycle) return i;
    throw new Error(`no row for unit ${unit} cycle ${cycle}`);
  };
  /** the averaged RUL model's own prediction at each point's row */
  const merged = (points: { unit: number; cycle: number }[]): number[] =>
    Array.from(scoreRows(table, models, Int32Array.from(points, (p) => rowOf(p.unit, p.cycle))).rul!.gbdt);
  return { config, r, rul, merged };
}

describe('RUL trees cross-fitted in the training pipeline', () => {
  it('rul.folds 4: four fold models averaged into the run’s RUL GBDT; validation units predicted out of fold, test units by the average', async () => {
    const { r, rul, merged } = await trained(4);
    expect(rul.folds).toBe(4);
    expect(rul.gbdtMembers).toHaveLength(4);
    expect(rul.gbdt.trees).toHaveLength(rul.gbdtMembers.reduce((s, n) => s + n, 0));
    expect(r.split.test.length).toBeGreaterThan(0);
    // test units: the averaged model's predictions
    const test = rul.points.test;
    expect(test.length).toBe(r.split.test.length);
    merged(test).forEach((v, i) => expect(test[i]!.rul).toBeCloseTo(v, 9));
    // validation units: not the averaged model (it has seen them through K − 1 of its members)
    const valid = rul.points.validation;
    const m = merged(valid);
    const same = valid.filter((p, i) => Math.abs(p.rul - m[i]!) < 1e-6).length;
    expect(same).toBe(0);
  });

  it('rul.folds 0 keeps the former recipe: rul.seeds models on the training units, stopping on the validation units, and is the default', async () => {
    expect(parseTrainConfig({}).rul.folds).toBe(0);
    const { rul, merged } = await trained(0);
    expect(rul.folds).toBe(0);
    expect(rul.gbdtMembers).toHaveLength(2);
    const valid = rul.points.validation;
    merged(valid).forEach((v, i) => expect(valid[i]!.rul).toBeCloseTo(v, 9));
    expect(() => parseTrainConfig({ rul: { folds: 1 } })).toThrow(/rul\.folds/);
  });
});
