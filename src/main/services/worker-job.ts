import { Worker, type WorkerOptions } from 'node:worker_threads';
import { PrognosError, type ErrorValue } from '../../shared/errors';
import type { JobContext } from './jobs';

type Tagged = { readonly type: string };

let live = 0;
/** Worker threads started by `runWorkerJob` or as an `EarlyWorker` that have not exited yet (tests check cancel leaves none). */
export function liveWorkerCount(): number {
  return live;
}

type WorkerEvent = { kind: 'message'; value: unknown } | { kind: 'error'; value: Error } | { kind: 'exit'; value: number };

/**
 * A job's worker started before its job is: a CLI command starts it first thing, so the worker
 * loads and works while the main thread still loads the services. What it says before a job takes
 * it (`runWorkerJob`) is kept and replayed in order; a worker no job takes is stopped by `discard`.
 */
export class EarlyWorker<S extends Tagged = Tagged> {
  readonly worker: Worker;
  private readonly held: WorkerEvent[] = [];
  private listener: ((e: WorkerEvent) => void) | undefined;
  private discarded = false;

  constructor(
    readonly script: string,
    readonly start: S,
    options?: WorkerOptions,
    transfer?: readonly ArrayBuffer[],
  ) {
    this.worker = new Worker(script, options);
    live++;
    this.worker.once('exit', () => live--);
    this.worker.on('message', (value: unknown) => this.emit({ kind: 'message', value }));
    this.worker.on('error', (value: Error) => this.emit({ kind: 'error', value }));
    this.worker.on('exit', (value: number) => this.emit({ kind: 'exit', value }));
    this.worker.postMessage(start, transfer);
  }

  /** whether a job took it */
  get taken(): boolean {
    return this.listener !== undefined;
  }

  /** whether a job may still take it */
  get available(): boolean {
    return this.listener === undefined && !this.discarded;
  }

  /** Hands the worker's events to a job: those held so far first. */
  take(listener: (e: WorkerEvent) => void): void {
    if (!this.available) throw new Error(`early worker ${this.script} was taken or discarded already`);
    this.listener = listener;
    for (const e of this.held.splice(0)) listener(e);
  }

  /** Stops the worker unless a job took it. */
  discard(): void {
    if (!this.available) return;
    this.discarded = true;
    this.held.length = 0;
    void this.worker.terminate();
  }

  private emit(e: WorkerEvent): void {
    if (this.listener !== undefined) this.listener(e);
    else if (!this.discarded) this.held.push(e);
  }
}

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
