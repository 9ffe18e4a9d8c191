import type { DatasetFormat, DatasetRegimes, DatasetSummary } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import type { FromImportWorker, ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import { fromWire } from '../workers/import-protocol';
import type { JobContext } from './jobs';
import { runWorkerJob } from './worker-job';

export interface ImportedFleet {
  table: FleetTable;
  fingerprint: string;
  format: DatasetFormat;
  summary: DatasetSummary;
  regimes: DatasetRegimes;
}

/** Runs one parse or synth in a worker thread; cancel through the job's signal. */
export function runImportWorker(workerScript: string, request: ImportWorkerRequest, ctx: JobContext): Promise<ImportedFleet> {
  return runWorkerJob<FromImportWorker, ImportedFleet>(workerScript, { type: 'start', request } satisfies ToImportWorker, ctx, {
    onDone: (m) => ({ table: fromWire(m.table), fingerprint: m.fingerprint, format: m.format, summary: m.summary, regimes: m.regimes }),
    onMessage: (m) => ctx.progress(m.fraction, m.message),
  });
}
