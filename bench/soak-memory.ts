/**
 * soak-memory: one serving process through a long session — 100 fleet scorings with a run
 * (GBDT + LSTM) and 100 with its bundle, 10 exports, 10 rankings — printing the tfjs tensors held
 * (this thread, the scoring worker, the last export worker) before and after, and the growth of
 * the process's resident memory (all threads) after a warm-up. Targets: tensors back to their
 * baseline, RSS growth ≤ 64 MiB.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AppServices } from '../src/main/services/app-services';
import { tensorCount } from '../src/main/workers/trained-run';
import type { BundleEntry, Scorer } from '../src/shared/schemas';
import { datasetOf, openBenchServices, runJob } from './app-services';
import type { Benchmark, Figure } from './figures';

const MiB = 1024 * 1024;

function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function tensorsHeld(services: AppServices): Promise<{ total: number; main: number; scoring: number; exporting: number }> {
  const stats = await services.exports.scoring.request({ type: 'stats' }, { signal: new AbortController().signal });
  const main = tensorCount();
  return { total: main + stats.tensors + services.exports.lastExportTensors, main, scoring: stats.tensors, exporting: services.exports.lastExportTensors };
}

export const soakMemory: Benchmark = {
  name: 'soak-memory',
  async run(): Promise<Figure[]> {
    const gc = collector();
    const services = openBenchServices();
    try {
      const train = await datasetOf(services, services.handlers['datasets:synth']({ units: 100, seed: 3 }));
      const fleet = await datasetOf(services, services.handlers['datasets:synth']({ units: 40, seed: 4 }));
      const config = { models: ['gbdt', 'lstm'], seed: 1, gbdt: { nEstimators: 40 }, lstm: { epochs: 1, patience: 0 } };
      const started = await services.handlers['train:start']({ datasetId: train, config });
      await runJob(services, Promise.resolve(started));
      const runId = started.runId;
      const exportOnce = (): Promise<BundleEntry> => runJob<BundleEntry>(services, services.handlers['bundles:export']({ runId, zip: true }));
      const bundle = await exportOnce();
      const byRun: Scorer = { kind: 'run', runId };
      const byBundle: Scorer = { kind: 'bundle', bundleId: bundle.bundleId };
      const score = (scorer: Scorer): Promise<unknown> => runJob(services, services.handlers['fleet:score']({ datasetId: fleet, scorer }));
      const rank = (): Promise<unknown> => runJob(services, services.handlers['features:rank']({ datasetId: fleet, config: { seed: 1 } }));

      // warm-up: every path once or more, so caches, code and pools are in place before the baseline
      for (let i = 0; i < 5; i++) {
        await score(byRun);
        await score(byBundle);
      }
      // threads that start and end (export and rank workers) raise the allocator's high-water mark for
      // the first few runs, then RSS stays put (25 rankings in a row: +20, +23, +2, +0 MiB per five)
      for (let i = 0; i < 2; i++) await exportOnce();
      for (let i = 0; i < 3; i++) await rank();
      gc();
      await new Promise((r) => setTimeout(r, 200));
      const before = await tensorsHeld(services);
      const rssBefore = process.memoryUsage().rss;
      const t0 = performance.now();

      const mib = (): string => (process.memoryUsage().rss / MiB).toFixed(0);
      for (let i = 0; i < 100; i++) {
        await score(byRun);
        await score(byBundle);
      }
      gc();
      const afterScoring = mib();
      for (let i = 0; i < 10; i++) await exportOnce();
      gc();
      const afterExports = mib();
      for (let i = 0; i < 10; i++) await rank();

      gc();
      await new Promise((r) => setTimeout(r, 200));
      const after = await tensorsHeld(services);
      const rssAfter = process.memoryUsage().rss;
      const seconds = (performance.now() - t0) / 1000;
      const split = (t: typeof before): string => `main ${t.main}, scoring worker ${t.scoring}, last export worker ${t.exporting}`;
      const session = `100 scorings of a 40-unit fleet with a GBDT + LSTM run and 100 with its bundle, 10 exports, 10 rankings of that fleet in ${seconds.toFixed(0)} s`;
      return [
        { name: 'soak-memory tensors before', value: before.total, unit: 'tensors', note: `after warm-up: ${split(before)}` },
        { name: 'soak-memory tensors after', value: after.total, unit: 'tensors', note: `${split(after)}; target: equal to before` },
        {
          name: 'soak-memory rss growth',
          value: (rssAfter - rssBefore) / MiB,
          unit: 'MiB',
          note: `${session}; RSS ${(rssBefore / MiB).toFixed(0)} → ${afterScoring} after the scorings → ${afterExports} after the exports → ${(rssAfter / MiB).toFixed(0)} MiB after the rankings (all threads), gc on this thread and in the scoring worker; target ≤ 64 MiB`,
        },
      ];
    } finally {
      await services.close();
    }
  },
};
