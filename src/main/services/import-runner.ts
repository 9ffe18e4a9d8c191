import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import type { DatasetFormat, DatasetSummary } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import type { FromImportWorker, ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import { fromWire } from '../workers/import-protocol';
import type { JobContext } from './jobs';

export interface ImportedFleet {
  table: FleetTable;
  fingerprint: string;
  format: DatasetFormat;
  summary: DatasetSummary;
}

/** Runs one parse or synth in a worker thread; cancel through the job's signal. */
export function runImportWorker(workerScript: string, request: ImportWorkerRequest, ctx: JobContext): Promise<ImportedFleet> {
  return new Promise<ImportedFleet>((resolve, reject) => {
    const worker = new Worker(workerScript);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' } satisfies ToImportWorker);
      // a worker stuck in a long synchronous step is stopped outright
      setTimeout(() => finish(() => reject(new PrognosError('CANCELLED', 'Import cancelled.'))), 2000).unref();
    };
    ctx.signal.addEventListener('abort', onAbort);
    worker.on('message', (m: FromImportWorker) => {
      switch (m.type) {
        case 'progress':
          ctx.progress(m.fraction, m.message);
          break;
        case 'done':
          finish(() => resolve({ table: fromWire(m.table), fingerprint: m.fingerprint, format: m.format, summary: m.summary }));
          break;
        case 'error':
          finish(() => reject(PrognosError.fromValue(m.error)));
          break;
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new PrognosError('INTERNAL', `import worker exited with code ${code}`))));
    worker.postMessage({ type: 'start', request } satisfies ToImportWorker);
    if (ctx.signal.aborted) onAbort();
  });
}
