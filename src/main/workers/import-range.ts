/** The import worker's side of the helper thread that parses a later part of a large file. */
import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import type { CountRequest, RangeRequest, RangeResult } from '../core/data/import-file';
import type { FleetTable } from '../core/data/table';
import type { DatasetSummary } from '../../shared/schemas';
import type { FromImportRangeWorker, ToImportRangeWorker } from './import-protocol';
import { IMPORT_RANGE_WORKER, startHelper, type StartedHelper } from './import-range-prestart';

/**
 * A helper thread started before its range is known (or taken from `takePrestartedHelper`), so it
 * loads its code while the import worker counts the file's lines: a failure or exit before then is
 * kept and answers the range. After its range the thread stays, so that it can hash and summarise the
 * joined table (`summarise`); `stop` ends it.
 */
export class RangeWorker {
  private readonly started: StartedHelper;

  constructor(from: string | StartedHelper = IMPORT_RANGE_WORKER) {
    this.started = typeof from === 'string' ? startHelper(from) : from;
  }

  get worker(): Worker {
    return this.started.worker;
  }

  /** why the thread ended before a range was asked of it */
  get ended(): Error | undefined {
    const e = this.started.ended;
    if (e === undefined) return undefined;
    return 'error' in e ? e.error : new PrognosError('INTERNAL', `import-range-worker exited with code ${e.exitCode}`);
  }

  /** The lines of a range of the file, counted on this thread (see `countFileLines`); the thread stays. */
  count(request: CountRequest, signal: AbortSignal): Promise<number> {
    return ask(this.worker, signal, this.ended, (m) => (m.type === 'counted' ? m.lines : undefined), { type: 'count', request }, false);
  }

  parse(request: RangeRequest, signal: AbortSignal): Promise<RangeResult> {
    return parseRangeInWorker(request, signal, this);
  }

  /**
   * The summary (`summarizeFleet`) and, with `hash`, the column hashes (`columnSha256`; else null) of a
   * table whose columns are in shared memory, on this thread. Rejects if the thread fails or has
   * ended; the signal stops it.
   */
  summarise(table: FleetTable, signal: AbortSignal, hash = true): Promise<{ summary: DatasetSummary; columnSha256: string[] | null }> {
    return ask(this.worker, signal, this.ended, (m) => (m.type === 'summarised' ? { summary: m.summary, columnSha256: m.columnSha256 } : undefined), { type: 'summarise', table, hash }, false);
  }

  /** Ends the thread (whatever it was doing). */
  stop(): void {
    void this.worker.terminate();
  }
}

/**
 * Posts `message` to `worker` and answers with what `answer` reads from the reply; an error reply,
 * an error or exit of the thread, or the signal rejects. `end`: the thread is stopped once answered
 * (else only on failure).
 */
function ask<T>(
  worker: Worker,
  signal: AbortSignal,
  ended: Error | undefined,
  answer: (m: FromImportRangeWorker) => T | undefined,
  message: ToImportRangeWorker,
  end: boolean,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted || ended !== undefined) {
      void worker.terminate();
      reject(ended ?? new PrognosError('CANCELLED', 'Import cancelled'));
      return;
    }
    let settled = false;
    const finish = (ok: boolean, f: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      f();
      if (end || !ok) void worker.terminate();
    };
    const onAbort = (): void => finish(false, () => reject(new PrognosError('CANCELLED', 'Import cancelled')));
    const onMessage = (m: FromImportRangeWorker): void => {
      if (m.type === 'error') {
        finish(false, () => reject(PrognosError.fromValue(m.error)));
        return;
      }
      const value = answer(m);
      if (value !== undefined) finish(true, () => resolve(value));
    };
    const onError = (e: Error): void => finish(false, () => reject(e));
    const onExit = (code: number): void => finish(false, () => reject(new PrognosError('INTERNAL', `import-range-worker exited with code ${code}`)));
    signal.addEventListener('abort', onAbort);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(message);
  });
}

/**
 * Parses `request` on a worker thread: a new one (ended with its answer), or one started before
 * (`RangeWorker`: it stays for more work after a good answer). The signal stops it (the promise then
 * rejects with CANCELLED).
 */
export function parseRangeInWorker(request: RangeRequest, signal: AbortSignal, script: string | RangeWorker = IMPORT_RANGE_WORKER): Promise<RangeResult> {
  const started = typeof script === 'string' ? undefined : script;
  if (started === undefined && signal.aborted) return Promise.reject(new PrognosError('CANCELLED', 'Import cancelled'));
  const worker = started?.worker ?? new Worker(script as string);
  return ask<RangeResult>(worker, signal, started?.ended, (m) => (m.type === 'done' ? m.result : undefined), { type: 'start', request }, started === undefined);
}
