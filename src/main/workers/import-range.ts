/** The import worker's side of the helper thread that parses a later part of a large file. */
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import type { RangeRequest, RangeResult } from '../core/data/import-file';
import type { FromImportRangeWorker, ToImportRangeWorker } from './import-protocol';

/** the built helper script, beside the import worker's own (out/main, or app.asar.unpacked/out/main) */
export const IMPORT_RANGE_WORKER = join(__dirname, basename(__dirname) === 'chunks' ? '..' : '', 'import-range-worker.js');

/**
 * A helper thread started before its range is known, so it loads its code while the import worker
 * counts the file's lines: a failure or exit before then is kept and answers the range. `stop` ends
 * a thread no range was asked of.
 */
export class RangeWorker {
  readonly worker: Worker;
  /** why the thread ended before a range was asked of it */
  ended: Error | undefined;
  private asked = false;

  constructor(script: string = IMPORT_RANGE_WORKER) {
    this.worker = new Worker(script);
    this.worker.on('error', (e) => {
      this.ended ??= e;
    });
    this.worker.on('exit', (code) => {
      this.ended ??= new PrognosError('INTERNAL', `import-range-worker exited with code ${code}`);
    });
  }

  parse(request: RangeRequest, signal: AbortSignal): Promise<RangeResult> {
    this.asked = true;
    return parseRangeInWorker(request, signal, this);
  }

  /** Ends the thread unless a range was asked of it (that one ends with its answer). */
  stop(): void {
    if (!this.asked) void this.worker.terminate();
  }
}

/**
 * Parses `request` on a worker thread: a new one, or one started before (`RangeWorker`). The signal
 * stops it (the promise then rejects with CANCELLED); the thread ends when the answer is in.
 */
export function parseRangeInWorker(request: RangeRequest, signal: AbortSignal, script: string | RangeWorker = IMPORT_RANGE_WORKER): Promise<RangeResult> {
  return new Promise<RangeResult>((resolve, reject) => {
    const started = typeof script === 'string' ? undefined : script;
    if (signal.aborted || started?.ended !== undefined) {
      if (started !== undefined) void started.worker.terminate();
      reject(started?.ended ?? new PrognosError('CANCELLED', 'Import cancelled'));
      return;
    }
    const worker = typeof script === 'string' ? new Worker(script) : script.worker;
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
