import { PrognosError } from '../../shared/errors';
import type { DatasetRole } from '../../shared/housekeeping';
import type { DatasetFormat, DatasetRegimes, DatasetSummary } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import type { FromImportWorker, ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import { fromWire, sameImportRequest } from '../workers/import-protocol';
import type { JobContext } from './jobs';
import type { EarlyWorker } from './early-worker';
import { runWorkerJob } from './worker-job';

/** A parsed table before it is summarised (requests with `tableFirst`). */
export interface ParsedTable {
  table: FleetTable;
  fingerprint: string;
  format: DatasetFormat;
}

export interface ImportedFleet extends ParsedTable {
  summary: DatasetSummary;
  /** SHA-256 of each column as stored (unit, cycle, then the values), computed off this thread; null when the table came first to `onTable` (not hashed) */
  columnSha256: readonly string[] | null;
  regimes: DatasetRegimes;
  /** the role guessed from the data (training, test or unlabeled) */
  role: DatasetRole;
}

/**
 * Runs one parse or synth in a worker thread; cancel through the job's signal. An early worker
 * started with the same request does the work (it has been at it a while); one started with another
 * request is stopped. With `tableFirst` in the request, `onTable` is given the table as soon as it is
 * parsed (if it comes first: a large C-MAPSS file); should `onTable` throw, the job fails with that
 * error once the worker is done.
 */
export function runImportWorker(
  workerScript: string,
  request: ImportWorkerRequest,
  ctx: JobContext,
  early?: EarlyWorker<ToImportWorker>,
  onTable?: (parsed: ParsedTable) => void,
): Promise<ImportedFleet> {
  const take = early?.available === true && early.start.type === 'start' && sameImportRequest(early.start.request, request);
  if (!take) early?.discard();
  let first: ParsedTable | undefined;
  let failed: { error: unknown } | undefined;
  return runWorkerJob<FromImportWorker, ImportedFleet>(take ? early : workerScript, { type: 'start', request } satisfies ToImportWorker, ctx, {
    onDone: (m) => {
      if (failed !== undefined) throw failed.error;
      const table = m.table === null ? first?.table : fromWire(m.table);
      if (table === undefined) throw new PrognosError('INTERNAL', 'the import worker finished without posting its table');
      return { table, fingerprint: m.fingerprint, format: m.format, summary: m.summary, columnSha256: m.columnSha256, regimes: m.regimes, role: m.role };
    },
    onMessage: (m) => {
      if (m.type === 'progress') {
        ctx.progress(m.fraction, m.message);
        return;
      }
      first = { table: fromWire(m.table), fingerprint: m.fingerprint, format: m.format };
      try {
        onTable?.(first);
      } catch (e) {
        failed = { error: e };
      }
    },
  });
}
