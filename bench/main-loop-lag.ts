/**
 * main-loop-lag: the event-loop delay (perf_hooks.monitorEventLoopDelay, p99) of the process that
 * serves the UI — the services as browser mode starts them — while each long activity runs:
 * importing a 1,000-unit synthetic fleet, ranking FD001's training file, training a small GBDT + LSTM
 * run, scoring the fleet (its table read from the store), verifying a bundle. Target: p99 ≤ 50 ms for each. An idle stretch first shows the machine's floor.
 */
import { join } from 'node:path';
import type { BundleEntry } from '../src/shared/schemas';
import { CMAPSS, datasetOf, loopDelay, openBenchServices, runJob, uploadSource } from './app-services';
import type { Benchmark, Figure } from './figures';

export const mainLoopLag: Benchmark = {
  name: 'main-loop-lag',
  async run(): Promise<Figure[]> {
    const services = openBenchServices();
    try {
      const fd001 = await datasetOf(services, services.handlers['datasets:import']({ source: await uploadSource(services, join(CMAPSS, 'train_FD001.txt')) }));
      const figures: Figure[] = [];
      const add = (activity: string, d: { p99: number; max: number; seconds: number }, what: string): void => {
        const target = activity === 'idle' ? '' : '; target ≤ 50 ms';
        figures.push({ name: `main-loop-lag ${activity} p99`, value: d.p99, unit: 'ms', note: `${what}; ran ${d.seconds.toFixed(1)} s, max ${d.max.toFixed(0)} ms${target}` });
      };

      add('idle', await loopDelay(() => new Promise((r) => setTimeout(r, 3000))), 'nothing running: the floor this machine sets, for comparison');
      let fleet = '';
      add(
        'import',
        await loopDelay(async () => {
          fleet = await datasetOf(services, services.handlers['datasets:synth']({ units: 1000, seed: 11 }));
        }),
        'datasets:synth of a 1,000-unit fleet (about 200,000 rows): generated, summarised and stored',
      );
      add('ranking', await loopDelay(() => runJob(services, services.handlers['features:rank']({ datasetId: fd001, config: { seed: 1 } }))), 'features:rank on train_FD001');

      let runId = '';
      const config = { models: ['gbdt', 'lstm'], seed: 1, gbdt: { nEstimators: 60 }, lstm: { epochs: 1, patience: 0 } };
      add(
        'training',
        await loopDelay(async () => {
          const started = await services.handlers['train:start']({ datasetId: fd001, config });
          runId = started.runId;
          await runJob(services, Promise.resolve(started));
        }),
        'train:start on train_FD001, GBDT 60 trees + LSTM 1 epoch',
      );

      add(
        'scoring',
        await loopDelay(() => runJob(services, services.handlers['fleet:score']({ datasetId: fleet, scorer: { kind: 'run', runId } }))),
        'fleet:score of a 1,000-unit synthetic fleet with the run (GBDT + LSTM), table loaded from the store',
      );

      const bundle = await runJob<BundleEntry>(services, services.handlers['bundles:export']({ runId, zip: true }));
      add(
        'verify',
        await loopDelay(async () => {
          const v = await services.handlers['bundles:verify']({ bundleId: bundle.bundleId });
          if (!v.ok) throw new Error(`the exported bundle does not verify: ${JSON.stringify(v.problems)}`);
        }),
        'bundles:verify of the run exported as a zip',
      );
      return figures;
    } finally {
      await services.close();
    }
  },
};
