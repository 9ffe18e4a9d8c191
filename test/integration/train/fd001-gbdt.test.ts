/**
 * The GBDT recipe on real data: FD001 train split by unit, default config, three seeds, scored on the
 * official test set (test_FD001 + RUL_FD001) with the threshold tuned on the validation units.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile, type ParsedFleet } from '../../../src/main/core/data/import-file';
import { scoreOfficial } from '../../../src/main/core/eval/official';
import { parseTrainConfig } from '../../../src/main/core/pipeline/config';
import { runTrainingPipeline, scoreRows } from '../../../src/main/core/pipeline/train';
import { CMAPSS } from '../../helpers/paths';

let train: ParsedFleet;
let test: ParsedFleet;

beforeAll(async () => {
  train = await parseFleetFile(join(CMAPSS, 'train_FD001.txt'));
  test = await parseFleetFile(join(CMAPSS, 'test_FD001.txt'), { rulPath: join(CMAPSS, 'RUL_FD001.txt') });
});

describe('FD001 with the default GBDT recipe', () => {
  it.each([1, 2, 3])('seed %i: official all-cycles ROC-AUC ≥ 0.99 and F2 ≥ 0.80', async (seed) => {
    const r = await runTrainingPipeline(train.table, parseTrainConfig({ seed, models: ['gbdt'] }));
    expect(r.engineeredCount).toBeGreaterThanOrEqual(128);
    expect(r.selected).toHaveLength(40);
    const p = scoreRows(test.table, { featureState: r.featureState, selected: r.selected, gbdt: r.gbdt, weight: 1 }).probability;
    const o = scoreOfficial(test.table, p, r.threshold);
    console.log(
      `seed ${seed}: validation F2 ${r.metrics.gbdt!.validation.f2?.toFixed(3)}, test-split F2 ${r.metrics.gbdt!.test?.f2?.toFixed(3)}, ` +
        `official all-cycles F2 ${o.allCycles.f2?.toFixed(3)} AUC ${o.allCycles.rocAuc?.toFixed(4)} (n ${o.allCycles.n}), last-cycle F2 ${o.lastCycle.f2?.toFixed(3)}`,
    );
    expect(o.allCycles.n).toBeGreaterThan(10_000);
    expect(o.allCycles.rocAuc).toBeGreaterThanOrEqual(0.99);
    expect(o.allCycles.f2).toBeGreaterThanOrEqual(0.8);
    // the threshold comes from validation, and the held-out test units agree with it
    expect(r.metrics.gbdt!.test?.f2).toBeGreaterThan(0.8);
  });

  it('the same seed gives a byte-identical model', async () => {
    const config = parseTrainConfig({ seed: 7, models: ['gbdt'], gbdt: { nEstimators: 40 } });
    const a = await runTrainingPipeline(train.table, config);
    const b = await runTrainingPipeline(train.table, config);
    expect(JSON.stringify(b.gbdt.toXGBoostJson())).toBe(JSON.stringify(a.gbdt.toXGBoostJson()));
    expect(b.selected).toEqual(a.selected);
    expect(b.threshold).toBe(a.threshold);
  });
});
