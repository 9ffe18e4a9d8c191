/**
 * The import worker started before its job (`prognos import` starts it before it loads the services,
 * for C-MAPSS text). Only Node's own modules and other light ones are imported here, so that the CLI
 * can start the worker before it loads zod, the store and the services.
 */
import { statSync } from 'node:fs';
import { PARALLEL_MIN_BYTES } from '../core/data/parallel';
import type { ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import type { ImportWorkerData } from '../workers/import-range-prestart';
import { EarlyWorker } from './early-worker';

/**
 * An import worker started with `request`. A file large enough to be parsed in two parts is named in
 * its `workerData`, so that its helper thread starts before the worker's own code loads (see
 * import-range-prestart.ts).
 */
export function startImportEarly(workerScript: string, request: ImportWorkerRequest): EarlyWorker<ToImportWorker> {
  const large = request.type === 'parse' && request.format !== 'csv' && sizeOf(request.path) >= PARALLEL_MIN_BYTES;
  const workerData: ImportWorkerData = large ? { prestartRange: { path: request.path } } : {};
  return new EarlyWorker<ToImportWorker>(workerScript, { type: 'start', request }, { workerData });
}

/** A file's size in bytes (0 when it cannot be read: the parse says why). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
