/** Worker thread: engineers and ranks every feature on the training units (`features:rank`). */
import { selectTop } from '../core/features/ranking';
import { parseTrainConfig } from '../core/pipeline/config';
import { prepareFeatures, rankPrepared } from '../core/pipeline/train';
import type { RankRequest, RankValue } from './features-protocol';
import { fromWire } from './import-protocol';
import { serveJob } from './serve-job';

serveJob<RankRequest, RankValue>('rank-worker', async ({ datasetId, table: wire, config: configInput }, task) => {
  const table = fromWire(wire);
  const config = parseTrainConfig(configInput);
  const started = performance.now();
  // features report 0.02–0.12 of a training run; here they are the first 70 % of the job
  const hooks = { signal: task.signal, onProgress: (p: { fraction: number; message: string }) => task.progress(Math.min(0.7, p.fraction * 6), p.message) };
  const prepared = prepareFeatures(table, config, hooks);
  task.progress(0.7, `Ranking ${prepared.features.names.length} features…`);
  const ranking = await rankPrepared(prepared, table, config, hooks);
  const selected = selectTop(ranking, config.topK, config.manualFeatures);
  return {
    value: {
      datasetId,
      engineeredCount: prepared.features.names.length,
      features: ranking,
      defs: prepared.features.defs.map((d) => ({ name: d.name, sensor: d.sensor, kind: d.kind, ...(d.window === undefined ? {} : { window: d.window }), formula: d.formula })),
      droppedSensors: prepared.features.droppedSensors,
      selected,
      trainUnits: prepared.split.train.length,
      seconds: (performance.now() - started) / 1000,
    },
  };
});
