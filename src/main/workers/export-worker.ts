/** Worker thread: writes a finished run as a bundle (ONNX models, manifest, checksums, signature). */
import { PrognosError } from '../../shared/errors';
import { bundleDriftReference, withBundleScores } from '../core/drift/bundle-export';
import { referenceFromRun } from '../core/drift/reference';
import { bundleInputFromRun, rulForExport, writeBundle } from '../core/export';
import { fromWire } from './import-protocol';
import type { ExportRequest, ExportValue } from './export-protocol';
import { serveJob } from './serve-job';
import { buildTrained, releaseTrained, tensorCount } from './trained-run';

serveJob<ExportRequest, ExportValue>(
  'export-worker',
  async (r, task) => {
    task.progress(0.05, 'Loading the run’s models…');
    const trained = await buildTrained(r.artifacts);
    try {
      if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Export cancelled.');
      task.progress(0.2, 'Converting the models to ONNX…');
      const input = bundleInputFromRun(trained, {
        appVersion: r.appVersion,
        columns: r.columns,
        datasetName: r.datasetName,
        pipeline: true,
        ...(r.created === undefined ? {} : { created: r.created }),
        ...(trained.lstm === undefined ? {} : { lstm: { weights: trained.lstm.model.exportWeights(), scaler: trained.lstm.scaler, weight: trained.weight } }),
        ...(trained.rul === undefined ? {} : { rul: rulForExport(trained.rul) }),
      });
      if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Export cancelled.');
      let drift;
      if (r.trainingTable !== undefined) {
        task.progress(0.45, 'Sampling the drift reference…');
        const table = fromWire(r.trainingTable);
        const reference = await withBundleScores(referenceFromRun(trained, table), table, input, r.out);
        if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Export cancelled.');
        drift = await bundleDriftReference(reference, { threshold: trained.threshold, labelWindow: trained.config.labelWindow, seed: trained.config.seed, signal: task.signal });
      }
      if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Export cancelled.');
      task.progress(0.6, 'Writing the bundle…');
      const written = await writeBundle(drift === undefined ? input : { ...input, drift }, r.out, {
        ...(r.zip === undefined ? {} : { zip: r.zip }),
        ...(r.signKey === undefined ? {} : { signKey: r.signKey }),
        ...(r.overwrite === undefined ? {} : { overwrite: r.overwrite }),
      });
      task.progress(1, 'Exported.');
      return { value: written };
    } finally {
      releaseTrained(trained);
    }
  },
  tensorCount,
);
