/**
 * `prognos demo`: the whole pipeline on the embedded synthetic fleet — synth (a run-to-failure fleet
 * and a test fleet cut before failure, with its RUL file) → import → train → official evaluation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSynthFleet } from '../../core/data/synth';
import type { MetricsValue } from '../../../shared/schemas';
import { countOption, intOption, parseCommandArgs } from '../args';
import { openServices } from '../context';
import { waitForJob } from '../wait-for-job';
import type { Output } from '../output';

const f3 = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

export async function demoCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { units: { type: 'string' }, seed: { type: 'string' } });
  const units = countOption(values.units, 'units', 100, 1_000_000);
  const seed = intOption(values.seed, 'seed', 1);
  const started = performance.now();
  const services = openServices(values.store);
  try {
    const dir = join(services.store.dir, 'demo');
    mkdirSync(dir, { recursive: true });
    const trainFile = join(dir, `synthetic-train-${units}-seed${seed}.txt`);
    const testFile = join(dir, `synthetic-test-${units}-seed${seed + 1}.txt`);
    const rulFile = join(dir, `synthetic-test-${units}-seed${seed + 1}-rul.txt`);
    out.note(`1/4 Generating a synthetic fleet of ${units} units (seed ${seed}) and a test fleet cut before failure (seed ${seed + 1})…`);
    await writeSynthFleet({ units, seed, out: trainFile });
    await writeSynthFleet({ units, seed: seed + 1, out: testFile, rulOut: rulFile });

    out.note('2/4 Importing both…');
    const importOne = async (path: string, name: string, rul?: string): Promise<string> => {
      const { jobId } = await services.handlers['datasets:import']({
        source: { kind: 'path', path },
        ...(rul === undefined ? {} : { rul: { kind: 'path' as const, path: rul } }),
        name,
      });
      const r = (await waitForJob(services, jobId, out)).result;
      if (r === undefined || !('dataset' in r)) throw new Error('import finished without a dataset');
      return r.dataset.datasetId;
    };
    const trainId = await importOne(trainFile, `demo: synthetic fleet (${units} units, seed ${seed})`);
    await importOne(testFile, `demo: synthetic test fleet (${units} units, seed ${seed + 1})`, rulFile);

    out.note('3/4 Training (features, ranking, gradient-boosted trees, LSTM with attention, ensemble)…');
    // a small configuration, so the whole demo takes about a minute on two cores
    const config = { seed, gbdt: { nEstimators: 120, maxDepth: 6 }, lstm: { epochs: 4, batchSize: 256 }, sequenceStride: 2 };
    const { jobId, runId } = services.startTraining(trainId, config);
    await waitForJob(services, jobId, out);

    out.note('4/4 Scoring the test fleet (official last-cycle and all-cycles metrics)…');
    const trained = services.training.artifacts(runId);
    const official = (await services.training.evaluate(runId, testFile, rulFile, { signal: new AbortController().signal })).headline;
    const detail = services.training.detail(runId);
    const seconds = (performance.now() - started) / 1000;
    const row = (label: string, x: MetricsValue | null | undefined): string =>
      x === null || x === undefined ? '' : `  ${label.padEnd(26)} F2 ${f3(x.f2)}  precision ${f3(x.precision)}  recall ${f3(x.recall)}  ROC-AUC ${f3(x.rocAuc)}  (n ${x.n.toLocaleString('en-US')})`;
    const headline = detail.metrics.ensemble === undefined ? 'gbdt' : 'ensemble';
    out.result(
      { runId, datasetId: trainId, seconds, threshold: trained.threshold, weight: trained.weight, backend: detail.backend, metrics: detail.metrics, official: { lastCycle: official.lastCycle, allCycles: official.allCycles } },
      () =>
        [
          '',
          `Demo finished in ${seconds.toFixed(1)} s. Store: ${services.store.dir}`,
          `Run ${runId}: ${detail.selected.length} features; ensemble P = ${trained.weight.toFixed(2)}·GBDT + ${(1 - trained.weight).toFixed(2)}·LSTM; threshold ${trained.threshold.toPrecision(3)} tuned for F2 on the validation units.`,
          `Backend: ${detail.backend ?? 'unknown'}`,
          'Validation units:',
          ...Object.entries(detail.metrics).map(([m, x]) => row(m, x.validation)),
          'Held-out test units:',
          ...Object.entries(detail.metrics).map(([m, x]) => row(m, x.test)),
          `Test fleet (${headline}):`,
          row('last cycle', official.lastCycle),
          row('all cycles', official.allCycles),
          '',
          'Open it in the workbench with `npm start`, or look closer with `npx prognos datasets` and `npx prognos evaluate`.',
        ]
          .filter((l) => l !== '')
          .join('\n'),
    );
  } finally {
    await services.close();
  }
}
