import type { WorkerOptions } from 'node:worker_threads';
import { PrognosError, type ErrorValue } from '../../shared/errors';
import { EarlyWorker, type Tagged, type WorkerEvent } from './early-worker';
import type { JobContext } from './jobs';

/**
 * Runs one job in a worker thread speaking the tagged protocol: `{type:'start',…}` in,
 * `{type:'done'}` or `{type:'error', error}` out, anything else passed to `onMessage`.
 * Cancel goes through the job's signal: the worker is asked to stop, and stopped outright after 2 s.
 * Given an `EarlyWorker` (available, started with this job's `start`), the job takes that worker
 * instead of starting one.
 */
export function runWorkerJob<M extends Tagged, R>(
  script: string | EarlyWorker,
  start: Tagged & Record<string, unknown>,
  ctx: Pick<JobContext, 'signal'>,
  handlers: { onDone(m: Extract<M, { type: 'done' }>): R; onMessage(m: Exclude<M, { type: 'done' | 'error' }>): void },
  transfer: ArrayBuffer[] = [],
  options?: WorkerOptions,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const name = typeof script === 'string' ? script : script.script;
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' });
      // a worker that does not stop within 2 s is stopped outright; the job ends once it is gone
      setTimeout(() => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener('abort', onAbort);
        void worker.terminate().finally(() => reject(new PrognosError('CANCELLED', 'Cancelled.')));
      }, 2000).unref();
    };
    const onEvent = (e: WorkerEvent): void => {
      if (e.kind === 'error') {
        finish(() => reject(e.value));
        return;
      }
      if (e.kind === 'exit') {
        finish(() => reject(new PrognosError('INTERNAL', `worker ${name} exited with code ${e.value}`)));
        return;
      }
      const m = e.value as M;
      if (m.type === 'done') {
        finish(() => {
          try {
            resolve(handlers.onDone(m as Extract<M, { type: 'done' }>));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      } else if (m.type === 'error') {
        finish(() => reject(PrognosError.fromValue((m as unknown as { error: ErrorValue }).error)));
      } else handlers.onMessage(m as Exclude<M, { type: 'done' | 'error' }>);
    };
    // a worker of its own is taken at once; an early one replays what it said so far, its answer included
    const started = typeof script === 'string' ? new EarlyWorker(script, start, options, transfer) : script;
    const worker = started.worker;
    ctx.signal.addEventListener('abort', onAbort);
    started.take(onEvent);
    if (ctx.signal.aborted) onAbort();
  });
}
