/**
 * The RUL trees' own features: the `rul.topK` best-ranked of the run's ranking (hand-picked features
 * first), not only the classifier's `topK`, and with `rul.trend` every kept sensor's trend since the
 * unit's start, engineered for them alone (not ranked, so the classifier's features are unchanged);
 * in-app scoring picks them by name from the engineered features. A small synthetic fleet, GBDT only.
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

async function trained(over: { topK?: number; trend?: boolean; manualFeatures?: string[]; features?: { include: { trend: boolean } } }) {
  const { topK, trend, ...rest } = over;
  const config = parseTrainConfig({ ...base, ...rest, rul: { ...base.rul, ...(topK === undefined ? {} : { topK }), ...(trend === undefined ? {} : { trend }) } });
  const r = await runTrainingPipeline(table, config);
  const rul = r.rul!;
  const trends = r.featureState.sensors.map((sensor) => `${sensor}_trend`);
  const models: TrainedModels = { featureState: r.featureState, selected: r.selected, gbdt: r.gbdt, weight: 1, rul: { gbdt: rul.gbdt, weight: rul.weight, cap: rul.cap, interval: rul.interval, intervals: rul.intervals } };
  return { config, r, rul, models, trends };
}

describe('the RUL trees’ own features', () => {
  it('defaults: the 160 best-ranked features and the trends since the start, trees of depth 4 with at least 40 rows a leaf', () => {
    const c = parseTrainConfig({});
    expect(c.rul.topK).toBe(160);
    expect(c.rul.trend).toBe(true);
    expect(c.features.include.trend).toBe(false);
    expect(c.rul.gbdt).toMatchObject({ maxDepth: 4, minChildWeight: 40, eta: 0.05 });
    expect(c.topK).toBe(40);
  });

  it('rul.topK 15: the RUL GBDT learns from the 15 best-ranked and the trends, the classifier from its 6; the run records them', async () => {
    const { r, rul, trends } = await trained({ topK: 15 });
    expect(r.selected).toHaveLength(6);
    expect(r.gbdt.featureNames).toEqual(r.selected);
    expect(trends.length).toBeGreaterThan(5);
    const want = [...selectTop(r.ranking, 15), ...trends];
    expect(rul.gbdt.featureNames).toEqual(want);
    expect(rul.features).toEqual(want);
    // the classifier's are the first 6 of them (same ranking), the other 9 are the RUL trees' alone
    expect(want.slice(0, 6)).toEqual(r.selected);
    // the trees do split on features the classifier does not have
    const used = new Set<number>();
    for (const t of rul.gbdt.trees) for (let i = 0; i < t.feature.length; i++) if (t.left[i]! !== -1) used.add(t.feature[i]!);
    expect([...used].some((f) => f >= 6)).toBe(true);
    // the trends among them
    expect([...used].some((f) => f >= 15)).toBe(true);
  });

  it('rul.trend: the trends are engineered for the RUL trees alone; the ranking and the classifier are those of a run without them', async () => {
    const on = await trained({ topK: 15 });
    const off = await trained({ topK: 15, trend: false });
    expect(on.r.featureState.spec.include.trend).toBe(true);
    expect(off.r.featureState.spec.include.trend).toBe(false);
    expect(off.rul.gbdt.featureNames).toEqual(selectTop(off.r.ranking, 15));
    // not ranked: the same ranking, so the same classifier
    expect(on.r.ranking.some((f) => f.name.endsWith('_trend'))).toBe(false);
    expect(on.r.ranking).toEqual(off.r.ranking);
    expect(on.r.selected).toEqual(off.r.selected);
    expect(on.r.gbdt.trees).toEqual(off.r.gbdt.trees);
    // a feature spec that includes the trends makes them candidates like any other
    const ranked = await trained({ topK: 15, features: { include: { trend: true } } });
    expect(ranked.r.ranking.filter((f) => f.name.endsWith('_trend')).length).toBe(ranked.trends.length);
    expect(ranked.rul.gbdt.featureNames).toEqual(selectTop(ranked.r.ranking, 15));
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

  it('hand-picked features come first; rul.topK equal to topK gives the classifier’s features (and the trends)', async () => {
    const probe = await trained({ topK: 6 });
    expect(probe.rul.gbdt.featureNames).toEqual([...probe.r.selected, ...probe.trends]);
    const alone = await trained({ topK: 6, trend: false });
    expect(alone.rul.gbdt.featureNames).toEqual(alone.r.selected);
    const manual = [probe.r.ranking[probe.r.ranking.length - 1]!.name];
    const { r, rul, trends } = await trained({ topK: 10, manualFeatures: manual });
    expect(r.selected[0]).toBe(manual[0]);
    expect(rul.gbdt.featureNames).toEqual([...selectTop(r.ranking, 10, manual), ...trends]);
    expect(rul.gbdt.featureNames[0]).toBe(manual[0]);
  });
});
