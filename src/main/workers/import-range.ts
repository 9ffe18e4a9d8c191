/** The import worker's side of the helper thread that parses a later part of a large file. */
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import type { RangeRequest, RangeResult } from '../core/data/import-file';
import type { FromImportRangeWorker, ToImportRangeWorker } from './import-protocol';

/** the built helper script, beside the import worker's own (out/main, or app.asar.unpacked/out/main) */
export const IMPORT_RANGE_WORKER = join(__dirname, basename(__dirname) === 'chunks' ? '..' : '', 'import-range-worker.js');

/**
 * Parses `request` on a new worker thread. The signal stops it (the promise then rejects with
 * CANCELLED); the thread ends when the answer is in.
 */
export function parseRangeInWorker(request: RangeRequest, signal: AbortSignal, script: string = IMPORT_RANGE_WORKER): Promise<RangeResult> {
  return new Promise<RangeResult>((resolve, reject) => {
    if (signal.aborted) {
      reject(new PrognosError('CANCELLED', 'Import cancelled'));
      return;
    }
    const worker = new Worker(script);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = (): void => finish(() => reject(new PrognosError('CANCELLED', 'Import cancelled')));
    signal.addEventListener('abort', onAbort);
    worker.on('message', (m: FromImportRangeWorker) => {
      if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(PrognosError.fromValue(m.error)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new PrognosError('INTERNAL', `import-range-worker exited with code ${code}`))));
    worker.postMessage({ type: 'start', request } satisfies ToImportRangeWorker);
  });
}
