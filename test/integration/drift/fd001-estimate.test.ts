/**
 * Performance without labels on the real C-MAPSS test file: the shared FD001 run (trained on
 * train_FD001; its threshold and calibration chosen on its validation units) scores test_FD001; the
 * F2, precision and recall estimated from its calibrated probabilities alone are compared with the
 * realised figures once RUL_FD001 gives the labels, on the "all cycles" rows (a full history window)
 * that `prognos evaluate` scores. Nothing here is fitted on the test files.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { estimatePerformance, expectedConfusion, expectedCountFigures, realisedPerformance } from '../../../src/main/core/drift/estimate';
import { computeMetrics } from '../../../src/main/core/eval/metrics';
import { fullWindowRows, officialLabels, pickRows } from '../../../src/main/core/eval/official';
import { unitSpans } from '../../../src/main/core/data/table';
import { failWithin, rulPerRow } from '../../../src/main/core/labels';
import { scoreRows } from '../../../src/main/core/pipeline/train';
import { splitUnits } from '../../../src/main/core/split';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { EventBus } from '../../../src/main/services/events';
import { TrainingService } from '../../../src/main/services/training';
import { buildTrained, releaseTrained, type TrainedRun } from '../../../src/main/workers/trained-run';
import { copyFd001Store, type Fd001Store } from '../../helpers/fd001-store';
import { CLI, tempDir } from '../../helpers/paths';

let fx: Fd001Store;
let trained: TrainedRun | undefined;

beforeAll(async () => {
  fx = await copyFd001Store(tempDir());
  // the run's artifacts as the services hand them to a worker (each checked against its SHA-256)
  const store = ExperimentStore.open(fx.store);
  try {
    trained = await buildTrained(new TrainingService(store, new EventBus(), '').artifacts(fx.runId));
  } finally {
    store.close();
  }
});

afterAll(() => {
  if (trained !== undefined) releaseTrained(trained);
});

const fmt = (v: number | null): string => (v === null ? 'null' : v.toFixed(4));

describe('FD001: estimated against realised performance on test_FD001', () => {
  it('estimates F2 without labels within 0.05 of the realised F2 (and prints precision and recall)', async () => {
    const run = trained!;
    // without labels: the test file alone
    const { table } = await parseFleetFile(fx.testFile);
    expect(table.rulAtEnd).toBeUndefined();
    const probability = scoreRows(table, run).probability;
    const rows = fullWindowRows(table, run.config.historyWindow);
    const p = pickRows(probability, rows);
    const units = pickRows(table.unit, rows);
    const t = run.threshold;
    const estimated = estimatePerformance(p, t, { units, seed: 1 });
    const independent = estimatePerformance(p, t, { seed: 1 });
    const counts = expectedCountFigures(p, t);

    // with labels: the same rows, labelled from RUL_FD001
    const labelled = await parseFleetFile(fx.testFile, { rulPath: fx.rulFile });
    const label = pickRows(officialLabels(labelled.table, run.config.labelWindow).label, rows);
    const realised = realisedPerformance(p, label, t);

    console.log(`test_FD001 all cycles: ${rows.length} rows of ${new Set(units).size} units, threshold ${t.toFixed(4)}, calibration ${run.calibration?.method ?? 'none'}`);
    for (const k of ['f2', 'precision', 'recall', 'rocAuc'] as const) {
      const e = estimated[k];
      const r = realised[k];
      console.log(
        `  ${k.padEnd(9)} estimated ${fmt(e)} band ${fmt(estimated.low[k])}–${fmt(estimated.high[k])} (rows sampled independently: ${fmt(independent[k])}, ${fmt(independent.low[k])}–${fmt(independent.high[k])}; of expected counts ${fmt(counts[k])})  realised ${fmt(r)}  gap ${fmt(e === null || r === null ? null : e - r)}`,
      );
    }
    // where a gap comes from: expected against realised counts, and the probability mass of the predicted negatives by band
    const e = expectedConfusion(p, t);
    const c = computeMetrics(p, label, t).confusion;
    console.log(`  counts    expected tp ${e.tp.toFixed(1)} fp ${e.fp.toFixed(1)} fn ${e.fn.toFixed(1)}; realised tp ${c.tp} fp ${c.fp} fn ${c.fn}`);
    const bands = [0, 0.005, 0.01, 0.02, 0.05, t];
    for (let b = 0; b + 1 < bands.length; b++) {
      let n = 0;
      let mass = 0;
      let positives = 0;
      for (let i = 0; i < p.length; i++) {
        if (p[i]! >= bands[b]! && p[i]! < bands[b + 1]!) {
          n++;
          mass += p[i]!;
          positives += label[i]!;
        }
      }
      console.log(`  p in [${bands[b]!.toFixed(3)}, ${bands[b + 1]!.toFixed(3)}): ${n} rows, expected positives ${mass.toFixed(1)}, realised ${positives}`);
    }

    expect(estimated.rows).toBe(rows.length);
    expect(estimated.f2).not.toBeNull();
    expect(estimated.precision).not.toBeNull();
    expect(estimated.recall).not.toBeNull();
    expect(realised.f2).not.toBeNull();
    expect(Math.abs(estimated.f2! - realised.f2!)).toBeLessThanOrEqual(0.05);

    // the realised figures are the ones `prognos evaluate` prints for these rows ("all cycles", the headline model)
    const ev = spawnSync(process.execPath, [CLI, 'evaluate', '--run', fx.runId, '--data', fx.testFile, '--rul', fx.rulFile, '--store', fx.store, '--json'], { encoding: 'utf8' });
    expect(ev.status, ev.stderr).toBe(0);
    const printed = JSON.parse(ev.stdout) as { threshold: number; allCycles: Record<string, { f2: number | null; precision: number | null; recall: number | null; n: number }> };
    const headline = printed.allCycles[run.lstm === undefined ? 'gbdt' : 'ensemble']!;
    console.log(`  prognos evaluate, all cycles: F2 ${fmt(headline.f2)} precision ${fmt(headline.precision)} recall ${fmt(headline.recall)} on ${headline.n} rows`);
    expect(printed.threshold).toBe(t);
    expect(headline.n).toBe(rows.length);
    expect(realised.f2).toBe(headline.f2);
    expect(realised.precision).toBe(headline.precision);
    expect(realised.recall).toBe(headline.recall);
  });

  it('on the run’s own held-out units of train_FD001 (the population its calibration was chosen on) the estimate is close', async () => {
    const run = trained!;
    const { table } = await parseFleetFile(fx.trainFile);
    const label = failWithin(rulPerRow(table), run.config.labelWindow);
    // the run's split, recomputed from its config and seed as the pipeline made it
    const split = splitUnits(unitSpans(table).map((s) => s.unit), { ...run.config.split, seed: run.config.seed });
    const full = fullWindowRows(table, run.config.historyWindow);
    const recorded = (run.record.result as { metrics: Record<string, { validation: { f2: number | null }; test: { f2: number | null } | null }> }).metrics[run.lstm === undefined ? 'gbdt' : 'ensemble']!;
    for (const part of ['validation', 'test'] as const) {
      const wanted = new Set(split[part]);
      const rows = full.filter((i) => wanted.has(table.unit[i]!));
      const p = scoreRows(table, run, rows).probability;
      const y = pickRows(label, rows);
      const estimated = estimatePerformance(p, run.threshold, { units: pickRows(table.unit, rows), seed: 1 });
      const realised = realisedPerformance(p, y, run.threshold);
      const e = expectedConfusion(p, run.threshold);
      const c = computeMetrics(p, y, run.threshold).confusion;
      console.log(
        `train_FD001 ${part} units (${wanted.size} units, ${rows.length} rows, ${(((c.tp + c.fn) / rows.length) * 100).toFixed(1)} % positive): ` +
          `F2 estimated ${fmt(estimated.f2)} band ${fmt(estimated.low.f2)}–${fmt(estimated.high.f2)}, realised ${fmt(realised.f2)} (recorded by the run: ${fmt(recorded[part]?.f2 ?? null)}); ` +
          `precision ${fmt(estimated.precision)} / ${fmt(realised.precision)}; recall ${fmt(estimated.recall)} / ${fmt(realised.recall)}; expected fn ${e.fn.toFixed(1)}, realised ${c.fn}`,
      );
      expect(realised.f2).toBeCloseTo(recorded[part]!.f2!, 9);
      expect(Math.abs(estimated.f2! - realised.f2!)).toBeLessThanOrEqual(0.05);
    }
  });
});
