/**
 * A job's worker thread started before its job, and the count of live job workers. Kept apart from
 * worker-job.ts, with nothing but Node's own modules, so that a CLI command can start its worker
 * before it loads anything else (zod, the store, the services).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export type Tagged = { readonly type: string };

let live = 0;
/** Worker threads started by `runWorkerJob` or as an `EarlyWorker` that have not exited yet (tests check cancel leaves none). */
export function liveWorkerCount(): number {
  return live;
}

export type WorkerEvent = { kind: 'message'; value: unknown } | { kind: 'error'; value: Error } | { kind: 'exit'; value: number };

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

