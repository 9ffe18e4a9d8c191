/**
 * The helper thread of a large file, started before the import worker loads its code. The worker's
 * entry (import-worker.ts) calls `prestartHelper` first thing, then loads the rest (zod and the
 * parsers, a few hundred ms on a busy machine), so the two threads load at once instead of one after
 * the other. The worker's creator asks for it through `workerData` when it knows the file is large
 * (the CLI does: it starts the import worker before its services load). Nothing here may import more
 * than Node's own modules: what it imports loads before the helper starts.
 */
import { basename, join } from 'node:path';
import { Worker, workerData } from 'node:worker_threads';

/** the built helper script, beside the import worker's own (out/main, or app.asar.unpacked/out/main) */
export const IMPORT_RANGE_WORKER = join(__dirname, basename(__dirname) === 'chunks' ? '..' : '', 'import-range-worker.js');

/** What the import worker's creator may pass as `workerData`: a large C-MAPSS file it will be asked to parse. */
export interface ImportWorkerData {
  prestartRange?: { path: string };
}

/** A helper thread, and how it ended if it did: its first error, or its exit code. */
export interface StartedHelper {
  readonly worker: Worker;
  ended: { error: Error } | { exitCode: number } | undefined;
}

/** Starts a helper thread, keeping the first failure or exit. */
export function startHelper(script: string = IMPORT_RANGE_WORKER): StartedHelper {
  const started: StartedHelper = { worker: new Worker(script), ended: undefined };
  started.worker.on('error', (error) => {
    started.ended ??= { error };
  });
  started.worker.on('exit', (exitCode) => {
    started.ended ??= { exitCode };
  });
  return started;
}

let ahead: { path: string; helper: StartedHelper } | undefined;

/** Starts the helper thread when `workerData` asks for one (see `ImportWorkerData`). */
export function prestartHelper(): void {
  const path = (workerData as ImportWorkerData | null)?.prestartRange?.path;
  if (typeof path === 'string' && ahead === undefined) ahead = { path, helper: startHelper() };
}

/** The helper started ahead for `path` (once); one started for another file, or none, is stopped. */
export function takePrestartedHelper(path: string | undefined): StartedHelper | undefined {
  const taken = ahead;
  ahead = undefined;
  if (taken === undefined) return undefined;
  if (taken.path === path) return taken.helper;
  void taken.helper.worker.terminate();
  return undefined;
}
