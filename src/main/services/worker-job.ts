import { Worker, type WorkerOptions } from 'node:worker_threads';
import { PrognosError, type ErrorValue } from '../../shared/errors';
import type { JobContext } from './jobs';

type Tagged = { readonly type: string };

let live = 0;
/** Worker threads started by `runWorkerJob` that have not exited yet (tests check cancel leaves none). */
export function liveWorkerCount(): number {
  return live;
}

/**
 * Runs one job in a worker thread speaking the tagged protocol: `{type:'start',…}` in,
 * `{type:'done'}` or `{type:'error', error}` out, anything else passed to `onMessage`.
 * Cancel goes through the job's signal: the worker is asked to stop, and stopped outright after 2 s.
 */
export function runWorkerJob<M extends Tagged, R>(
  script: string,
  start: Tagged & Record<string, unknown>,
  ctx: Pick<JobContext, 'signal'>,
  handlers: { onDone(m: Extract<M, { type: 'done' }>): R; onMessage(m: Exclude<M, { type: 'done' | 'error' }>): void },
  transfer: ArrayBuffer[] = [],
  options?: WorkerOptions,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(script, options);
    live++;
    worker.once('exit', () => live--);
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
    ctx.signal.addEventListener('abort', onAbort);
    worker.on('message', (m: M) => {
      if (m.type === 'done') {
        finish(() => {
          try {
            resolve(handlers.onDone(m as Extract<M, { type: 'done' }>));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      } else if (m.type === 'error') {
        finish(() => reject(PrognosError.fromValue((m as unknown as { error: ErrorValue }).error)));
      } else handlers.onMessage(m as Exclude<M, { type: 'done' | 'error' }>);
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new PrognosError('INTERNAL', `worker ${script} exited with code ${code}`))));
    worker.postMessage(start, transfer);
    if (ctx.signal.aborted) onAbort();
  });
}
