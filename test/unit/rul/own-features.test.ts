/**
 * The RUL trees' own features: the `rul.topK` best-ranked of the run's ranking (hand-picked features
 * first), not only the classifier's `topK`; in-app scoring picks them by name from the engineered
 * features. A small synthetic fleet, GBDT only.
 */
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from '../../../src/main/core/data/synth';
import { engineerFeatures } from '../../../src/main/core/features/engineer';
import { selectTop } from '../../../src/main/core/features/ranking';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, scoreRows, type TrainedModels } from '../../../src/main/core/pipeline/train';

const table = synthesizeFleet({ units: 24, seed: 11 });
const base = {
  seed: 3,
  models: ['gbdt'],
  topK: 6,
  rankWithGain: false,
  gbdt: { nEstimators: 20, maxDepth: 4 },
  rul: { cap: 100, gbdt: { nEstimators: 60, maxDepth: 3, eta: 0.2, earlyStoppingRounds: 10 }, seeds: 1 },
};

async function trained(over: { topK?: number; manualFeatures?: string[] }) {
  const { topK, ...rest } = over;
  const config = parseTrainConfig({ ...base, ...rest, rul: { ...base.rul, ...(topK === undefined ? {} : { topK }) } });
  const r = await runTrainingPipeline(table, config);
  const rul = r.rul!;
  const models: TrainedModels = { featureState: r.featureState, selected: r.selected, gbdt: r.gbdt, weight: 1, rul: { gbdt: rul.gbdt, weight: rul.weight, cap: rul.cap, interval: rul.interval, intervals: rul.intervals } };
  return { config, r, rul, models };
}

describe('the RUL trees’ own features', () => {
  it('defaults: the 160 best-ranked features, trees of depth 4 with at least 40 rows a leaf', () => {
    const c = parseTrainConfig({});
    expect(c.rul.topK).toBe(160);
    expect(c.rul.gbdt).toMatchObject({ maxDepth: 4, minChildWeight: 40, eta: 0.05 });
    expect(c.topK).toBe(40);
  });

  it('rul.topK 15: the RUL GBDT learns from the 15 best-ranked, the classifier from its 6; the run records them', async () => {
    const { r, rul } = await trained({ topK: 15 });
    expect(r.selected).toHaveLength(6);
    expect(r.gbdt.featureNames).toEqual(r.selected);
    const want = selectTop(r.ranking, 15);
    expect(rul.gbdt.featureNames).toEqual(want);
    expect(rul.features).toEqual(want);
    // the classifier's are the first 6 of them (same ranking), the other 9 are the RUL trees' alone
    expect(want.slice(0, 6)).toEqual(r.selected);
    // the trees do split on features the classifier does not have
    const used = new Set<number>();
    for (const t of rul.gbdt.trees) for (let i = 0; i < t.feature.length; i++) if (t.left[i]! !== -1) used.add(t.feature[i]!);
    expect([...used].some((f) => f >= 6)).toBe(true);
  });

  it('in-app scoring picks the RUL GBDT’s columns by name, and equals the training stage’s points', async () => {
    const { r, rul, models } = await trained({ topK: 15 });
    const f = engineerFeatures(table, r.featureState.spec, { state: r.featureState });
    const rowOf = (unit: number, cycle: number): number => {
      for (let i = 0; i < table.rowCount; i++) if (table.unit[i] === unit && table.cycle[i] === cycle) return i;
      throw new Error(`no row for unit ${unit} cycle ${cycle}`);
    };
    const points = [...rul.points.validation, ...rul.points.test];
    const rows = Int32Array.from(points, (p) => rowOf(p.unit, p.cycle));
    const scored = scoreRows(table, models, rows).rul!;
    const cols = rul.gbdt.featureNames.map((n) => Float32Array.from(rows, (i) => f.columns[f.names.indexOf(n)]![i]!));
    const direct = rul.gbdt.predictValue(cols, rows.length);
    scored.gbdt.forEach((v, k) => expect(v).toBeCloseTo(direct[k]!, 9));
    points.forEach((p, k) => expect(p.rul).toBeCloseTo(scored.value[k]!, 9));
  });

  it('hand-picked features come first; rul.topK equal to topK gives the classifier’s features', async () => {
    const probe = await trained({ topK: 6 });
    expect(probe.rul.gbdt.featureNames).toEqual(probe.r.selected);
    const manual = [probe.r.ranking[probe.r.ranking.length - 1]!.name];
    const { r, rul } = await trained({ topK: 10, manualFeatures: manual });
    expect(r.selected[0]).toBe(manual[0]);
    expect(rul.gbdt.featureNames).toEqual(selectTop(r.ranking, 10, manual));
    expect(rul.gbdt.featureNames[0]).toBe(manual[0]);
  });
});
