import { describe, expect, it } from 'vitest';
import { GbdtModel, trainGbdt, type GbdtDataset } from '../../../src/main/core/models/gbdt';
import { averageClassifiers, averageRegressors } from '../../../src/main/core/rul/average';
import { createRng } from '../../../src/main/core/split';

function data(seed: number, rows: number): GbdtDataset {
  const rng = createRng(seed);
  const a = Float32Array.from({ length: rows }, () => rng());
  const b = Float32Array.from({ length: rows }, () => rng());
  const target = Float32Array.from(a, (x, i) => 100 * x * x + 20 * b[i]! + 5 * (rng() - 0.5));
  return { rows, features: 2, columns: [a, b], label: new Uint8Array(0), target };
}

describe('averaged RUL trees', () => {
  it('one model that predicts the mean of its members, also after an XGBoost JSON round trip', async () => {
    const train = data(1, 600);
    const test = data(2, 200);
    const params = { objective: 'reg:squarederror' as const, nEstimators: 30, maxDepth: 3, eta: 0.2, subsample: 0.7, earlyStoppingRounds: 0, nThreads: 1 };
    const members = [await trainGbdt(train, { ...params, seed: 1 }, { featureNames: ['a', 'b'] }), await trainGbdt(train, { ...params, seed: 2 }, { featureNames: ['a', 'b'] })];
    const p0 = members[0]!.predictValue(test.columns, test.rows);
    const p1 = members[1]!.predictValue(test.columns, test.rows);
    expect(p0).not.toEqual(p1);
    const avg = averageRegressors(members);
    expect(avg.trees).toHaveLength(60);
    const pa = avg.predictValue(test.columns, test.rows);
    for (let i = 0; i < test.rows; i++) expect(Math.abs(pa[i]! - (p0[i]! + p1[i]!) / 2)).toBeLessThan(1e-3);
    const again = GbdtModel.fromXGBoostJson(JSON.parse(JSON.stringify(avg.toXGBoostJson())) as unknown);
    expect(Array.from(again.predictValue(test.columns, test.rows))).toEqual(Array.from(pa));
    expect(averageRegressors([members[0]!])).toBe(members[0]);
    const labels = Uint8Array.from(train.target!, (v) => (v > 40 ? 1 : 0));
    const classifier = await trainGbdt({ ...train, label: labels }, { ...params, objective: 'binary:logistic', seed: 1 }, { featureNames: ['a', 'b'] });
    expect(() => averageRegressors([classifier, members[0]!])).toThrow(/reg:squarederror/);
  });

  it('classifiers averaged in log-odds: one binary:logistic model whose margin is the mean of the members’ margins', async () => {
    const train = data(3, 600);
    const test = data(4, 200);
    const labels = (d: GbdtDataset): Uint8Array => Uint8Array.from(d.target!, (v) => (v > 40 ? 1 : 0));
    const params = { objective: 'binary:logistic' as const, nEstimators: 25, maxDepth: 3, eta: 0.3, subsample: 0.7, earlyStoppingRounds: 0, nThreads: 1 };
    const trainC = { ...train, label: labels(train) };
    // different seeds and a different class balance, so the members' base scores differ too
    const members = [
      await trainGbdt(trainC, { ...params, seed: 1 }, { featureNames: ['a', 'b'] }),
      await trainGbdt(trainC, { ...params, seed: 2 }, { featureNames: ['a', 'b'] }),
      await trainGbdt({ ...trainC, label: Uint8Array.from(train.target!, (v) => (v > 60 ? 1 : 0)) }, { ...params, seed: 3 }, { featureNames: ['a', 'b'] }),
    ];
    const margins = members.map((m) => m.predictMargin(test.columns, test.rows));
    const avg = averageClassifiers(members);
    expect(avg.objective).toBe('binary:logistic');
    expect(avg.trees).toHaveLength(75);
    const merged = avg.predictMargin(test.columns, test.rows);
    let worst = 0;
    for (let i = 0; i < test.rows; i++) worst = Math.max(worst, Math.abs(merged[i]! - (margins[0]![i]! + margins[1]![i]! + margins[2]![i]!) / 3));
    // float32 accumulation of margins of a few units
    expect(worst).toBeLessThan(1e-5);
    const p = avg.predictProba(test.columns, test.rows);
    for (let i = 0; i < test.rows; i++) expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-merged[i]!)), 6);
    const again = GbdtModel.fromXGBoostJson(JSON.parse(JSON.stringify(avg.toXGBoostJson())) as unknown);
    expect(Array.from(again.predictProba(test.columns, test.rows))).toEqual(Array.from(p));
    const regressor = await trainGbdt(train, { ...params, objective: 'reg:squarederror', seed: 1 }, { featureNames: ['a', 'b'] });
    expect(() => averageClassifiers([members[0]!, regressor])).toThrow(/binary:logistic/);
  });
});
