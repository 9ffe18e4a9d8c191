import type { WorkerOptions } from 'node:worker_threads';
import type { FromJobWorker } from '../workers/job-protocol';
import { runWorkerJob } from './worker-job';

export interface WorkerCallContext {
  readonly signal: AbortSignal;
  progress?(fraction: number, message: string): void;
}

/** A short call nobody cancels. */
export const UNCANCELLED: WorkerCallContext = { signal: new AbortController().signal };

/**
 * Runs one request in a fresh worker thread speaking the one-shot job protocol (job-protocol.ts):
 * a job's context forwards progress; a short call passes only a signal. Resolves with the value and
 * the worker's tfjs tensor count at the end; rejects with CANCELLED when the signal aborts.
 */
export async function callWorker<S, V>(
  script: string,
  request: S,
  ctx: WorkerCallContext,
  transfer: ArrayBuffer[] = [],
  options?: WorkerOptions,
): Promise<{ value: V; tensors: number }> {
  return runWorkerJob<FromJobWorker<V>, { value: V; tensors: number }>(
    script,
    { type: 'start', request },
    ctx,
    {
      onDone: (m) => ({ value: m.value, tensors: m.tensors }),
      onMessage: (m) => ctx.progress?.(m.fraction, m.message),
    },
    transfer,
    options,
  );
}
