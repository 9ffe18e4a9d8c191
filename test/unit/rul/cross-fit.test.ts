import { describe, expect, it } from 'vitest';
import { GbdtModel } from '../../../src/main/core/models/gbdt';
import { crossFitRegressor, unitFolds } from '../../../src/main/core/rul/cross-fit';
import { createRng } from '../../../src/main/core/split';

/** a small fleet: 12 units of 40 rows, the target rises with feature a and depends on the unit */
function fleet(): { unit: Int32Array; columns: Float32Array[]; target: Float32Array } {
  const rng = createRng(7);
  const units = 12;
  const per = 40;
  const unit = Int32Array.from({ length: units * per }, (_, i) => Math.floor(i / per) + 1);
  const a = Float32Array.from(unit, () => rng());
  const b = Float32Array.from(unit, () => rng());
  const target = Float32Array.from(a, (x, i) => 100 * x * x + 20 * b[i]! + 3 * unit[i]! + 5 * (rng() - 0.5));
  return { unit, columns: [a, b], target };
}

/** a regression model's output with its leaves summed in float64 (no float32 accumulation) */
function exact(m: GbdtModel, columns: readonly Float32Array[], rows: number): Float64Array {
  const out = new Float64Array(rows).fill(m.baseScore);
  for (const t of m.trees) {
    for (let r = 0; r < rows; r++) {
      let n = 0;
      while (t.left[n] !== -1) n = columns[t.feature[n]!]![r]! < t.threshold[n]! ? t.left[n]! : t.right[n]!;
      out[r] = out[r]! + t.threshold[n]!;
    }
  }
  return out;
}

describe('RUL trees cross-fitted over units', () => {
  it('deals the units into K disjoint folds of nearly equal size, the same for the same seed', () => {
    const units = Array.from({ length: 85 }, (_, i) => i + 1);
    const folds = unitFolds(units, 5, 42);
    expect(folds.map((f) => f.length)).toEqual([17, 17, 17, 17, 17]);
    expect(folds.flat().sort((x, y) => x - y)).toEqual(units);
    expect(unitFolds([...units].reverse(), 5, 42)).toEqual(folds);
    expect(unitFolds(units, 5, 1)).not.toEqual(folds);
    expect(unitFolds([1, 2, 3, 4, 5, 6, 7], 3, 1).map((f) => f.length).sort()).toEqual([2, 2, 3]);
    expect(() => unitFolds(units, 1, 42)).toThrow(/at least 2 folds/);
    expect(() => unitFolds([1, 2, 3], 4, 42)).toThrow(/4 folds need at least 4 units/);
  });

  it('averages K models, each stopped on its own held-out fold, into one model that predicts their mean; out-of-fold rows come from the model that did not see their unit', async () => {
    const { unit, columns, target } = fleet();
    const all = Int32Array.from(unit, (_, i) => i);
    const units = Array.from({ length: 12 }, (_, i) => i + 1);
    const folds = unitFolds(units, 4, 3);
    const cf = await crossFitRegressor({
      table: { unit },
      columns,
      names: ['a', 'b'],
      target,
      fitRows: all,
      stopRows: all,
      folds,
      params: { nEstimators: 60, maxDepth: 3, eta: 0.2, subsample: 0.8, earlyStoppingRounds: 5, nThreads: 1 },
      seed: 1,
    });
    expect(cf.members).toHaveLength(4);
    expect(cf.model.trees).toHaveLength(cf.members.reduce((s, m) => s + m.trees.length, 0));
    const each = cf.members.map((m) => m.predictValue(columns, all.length));
    // the members differ (each learnt from other units)
    expect(Array.from(each[0]!)).not.toEqual(Array.from(each[1]!));
    const merged = cf.model.predictValue(columns, all.length);
    // as functions (trees summed in float64): the merged model is the mean of the K models to 1e-6 of
    // its magnitude (XGBoost stores the averaged base score in float32: half an ulp is 2e-6 at 50)
    const exactOf = (m: GbdtModel): Float64Array => exact(m, columns, all.length);
    const exactEach = cf.members.map(exactOf);
    const exactMerged = exactOf(cf.model);
    let worst = 0;
    let worstF32 = 0;
    for (let i = 0; i < all.length; i++) {
      const mean = exactEach.reduce((s, p) => s + p[i]!, 0) / exactEach.length;
      worst = Math.max(worst, Math.abs(exactMerged[i]! - mean) / Math.max(1, Math.abs(mean)));
      // and as predicted (float32 accumulation tree by tree, as XGBoost predicts): within float32 rounding
      const meanF32 = each.reduce((s, p) => s + p[i]!, 0) / each.length;
      worstF32 = Math.max(worstF32, Math.abs(merged[i]! - meanF32) / Math.max(1, Math.abs(meanF32)));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(worstF32).toBeLessThan(1e-5);
    // the merged model survives the XGBoost JSON round trip the bundle uses
    const again = GbdtModel.fromXGBoostJson(JSON.parse(JSON.stringify(cf.model.toXGBoostJson())) as unknown);
    expect(Array.from(again.predictValue(columns, all.length))).toEqual(Array.from(merged));
    // out of fold: every row is predicted by the member whose held-out fold holds its unit
    const oof = cf.outOfFold(all);
    const foldOf = new Map(folds.flatMap((f, k) => f.map((u) => [u, k] as const)));
    for (let i = 0; i < all.length; i++) expect(oof[i]).toBe(each[foldOf.get(unit[i]!)!]![i]);
    // a unit in no fold has no out-of-fold prediction
    const fewer = await crossFitRegressor({ table: { unit }, columns, names: ['a', 'b'], target, fitRows: all, stopRows: all, folds: folds.map((f) => f.filter((u) => u !== 1)), params: { nEstimators: 5, nThreads: 1 }, seed: 1 });
    expect(() => fewer.outOfFold(Int32Array.of(0))).toThrow(/unit 1 is in no fold/);
    // a fold without rows to stop on is refused, naming the fold
    const stopOnUnit1 = Int32Array.from({ length: 40 }, (_, i) => i);
    await expect(crossFitRegressor({ table: { unit }, columns, names: ['a', 'b'], target, fitRows: all, stopRows: stopOnUnit1, folds, params: { nEstimators: 5, nThreads: 1 }, seed: 1 })).rejects.toThrow(/rul\.folds: fold \d of 4 has no row with a full history window/);
  });
});
