import type { DatasetRole } from '../../shared/housekeeping';
import type { DatasetFormat, DatasetRegimes, DatasetSummary } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import type { FromImportWorker, ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import { fromWire, sameImportRequest } from '../workers/import-protocol';
import type { JobContext } from './jobs';
import type { EarlyWorker } from './early-worker';
import { runWorkerJob } from './worker-job';

export interface ImportedFleet {
  table: FleetTable;
  fingerprint: string;
  format: DatasetFormat;
  summary: DatasetSummary;
  /** SHA-256 of each column as stored (unit, cycle, then the values), computed off this thread */
  columnSha256: readonly string[];
  regimes: DatasetRegimes;
  /** the role guessed from the data (training, test or unlabeled) */
  role: DatasetRole;
}

/**
 * Runs one parse or synth in a worker thread; cancel through the job's signal. An early worker
 * started with the same request does the work (it has been at it a while); one started with another
 * request is stopped.
 */
export function runImportWorker(workerScript: string, request: ImportWorkerRequest, ctx: JobContext, early?: EarlyWorker<ToImportWorker>): Promise<ImportedFleet> {
  const take = early?.available === true && early.start.type === 'start' && sameImportRequest(early.start.request, request);
  if (!take) early?.discard();
  return runWorkerJob<FromImportWorker, ImportedFleet>(take ? early : workerScript, { type: 'start', request } satisfies ToImportWorker, ctx, {
    onDone: (m) => ({ table: fromWire(m.table), fingerprint: m.fingerprint, format: m.format, summary: m.summary, columnSha256: m.columnSha256, regimes: m.regimes, role: m.role }),
    onMessage: (m) => ctx.progress(m.fraction, m.message),
  });
}
