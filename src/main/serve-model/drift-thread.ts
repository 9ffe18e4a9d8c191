/**
 * The model server's online drift, run in a worker thread (workers/serve-drift-worker.ts) so that
 * neither computing the features of scored histories nor recomputing the scores over the window
 * (sorting up to `--drift-window` values per feature) ever holds the thread that answers requests.
 *
 * This side only samples: `observe` keeps a reference to a scored history in a bounded reservoir
 * (at most `maxQueued` a second, every history since the last hand-over with the same chance); once
 * a second the sample goes to the worker (copied), and every `intervalMs` the worker recomputes the
 * scores and the result comes back to `onResult` (the metrics, the alerts). The window, its rules and
 * its numbers are OnlineDrift's (online-drift.ts), unchanged.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, PrognosError, type ErrorCode } from '../../shared/errors';
import type { FleetTable } from '../core/data/table';
import { SERVE_DRIFT_WORKER } from '../paths';
import { logger } from '../services/logger';
import type { DriftThreadInit, DriftThreadReply, DriftThreadRequest } from './drift-protocol';
import { DEFAULT_DRIFT_INTERVAL_MS, DEFAULT_MAX_QUEUED_TABLES, type OnlineDriftResult } from './online-drift';

/** a code from the worker, if it is one of ours */
const codeOf = (code: string): ErrorCode => ((ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL');

const log = logger('serve-model:drift');
const HAND_OVER_MS = 1000;

export interface OnlineDriftThreadOptions extends Omit<DriftThreadInit, 'bundlePath'> {
  /** how often the scores are recomputed (default 30 s) */
  readonly intervalMs?: number;
  /** histories kept between two hand-overs (one a second); default 16 */
  readonly maxQueued?: number;
  readonly onResult?: (result: OnlineDriftResult) => void;
  /** for the reservoir sampling (default Math.random) */
  readonly random?: () => number;
  /** the worker script (default out/main/serve-drift-worker.js) */
  readonly script?: string;
}

export class OnlineDriftThread {
  private queue: FleetTable[] = [];
  private seen = 0;
  private last: OnlineDriftResult | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: OnlineDriftResult) => void; reject: (e: unknown) => void }>();
  private handOver: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly maxQueued: number;
  private readonly random: () => number;

  private constructor(
    private readonly worker: Worker,
    /** the reference's features */
    readonly featureCount: number,
    /** the bundle's run */
    readonly runId: string,
    private readonly opts: OnlineDriftThreadOptions,
  ) {
    this.maxQueued = Math.max(1, Math.floor(opts.maxQueued ?? DEFAULT_MAX_QUEUED_TABLES));
    this.random = opts.random ?? Math.random;
    worker.on('message', (m: DriftThreadReply) => this.receive(m));
    worker.on('error', (e) => {
      log.warn('the online drift thread failed; online drift is off until the next reload', e);
      this.fail(e);
    });
    worker.on('exit', () => this.fail(new PrognosError('INTERNAL', 'the online drift thread stopped')));
    // a 'message' listener refs the worker's port again: the thread never keeps the process alive
    worker.unref();
  }

  /** Starts the thread, which reads the bundle's drift reference; BAD_FILE (or the reader's error) when it has none. */
  static async open(bundlePath: string, opts: OnlineDriftThreadOptions = {}): Promise<OnlineDriftThread> {
    const script = opts.script ?? SERVE_DRIFT_WORKER;
    if (!existsSync(script)) throw new PrognosError('INTERNAL', `online drift: ${script} is missing (build the app: npm run build)`);
    const init: DriftThreadInit = {
      bundlePath,
      ...(opts.windowRows === undefined ? {} : { windowRows: opts.windowRows }),
      ...(opts.windowSeconds === undefined ? {} : { windowSeconds: opts.windowSeconds }),
      ...(opts.minRows === undefined ? {} : { minRows: opts.minRows }),
      ...(opts.method === undefined ? {} : { method: opts.method }),
      ...(opts.thresholds === undefined ? {} : { thresholds: opts.thresholds }),
      ...(opts.datasetDriftShare === undefined ? {} : { datasetDriftShare: opts.datasetDriftShare }),
    };
    const worker = new Worker(script, { workerData: init });
    worker.unref();
    const first = await new Promise<DriftThreadReply>((resolve, reject) => {
      const onExit = (code: number): void => reject(new PrognosError('INTERNAL', `the online drift thread exited (${code}) before it started`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: DriftThreadReply) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(m);
      });
    });
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new PrognosError(first.type === 'failed' ? codeOf(first.code) : 'INTERNAL', first.type === 'failed' ? first.message : 'the online drift thread did not start');
    }
    return new OnlineDriftThread(worker, first.features, first.runId, opts);
  }

  /** the latest computation, if any */
  latest(): OnlineDriftResult | undefined {
    return this.last;
  }

  /** Samples a scored history for the window (nothing is computed here). */
  observe(table: FleetTable): void {
    if (this.stopped) return;
    this.seen++;
    if (this.queue.length < this.maxQueued) this.queue.push(table);
    else {
      // reservoir: every history since the last hand-over has the same chance to be in the sample
      const j = Math.floor(this.random() * this.seen);
      if (j < this.maxQueued) this.queue[j] = table;
    }
  }

  /** Adds rows of feature values (`width` per row, the reference's feature order) to the window; `rows` is handed over (transferred). */
  observeFeatures(rows: Float32Array, width: number): void {
    if (this.stopped) return;
    if (width !== this.featureCount) throw new PrognosError('INVALID_INPUT', `online drift: rows of ${width} values, not ${this.featureCount} features`);
    this.send({ type: 'features', rows, width }, [rows.buffer as ArrayBuffer]);
  }

  /** Hands the sampled histories to the thread and recomputes the scores there; `onResult` gets them too. */
  compute(): Promise<OnlineDriftResult> {
    if (this.stopped) return Promise.reject(new PrognosError('CONFLICT', 'online drift is stopped'));
    this.flush();
    const id = this.nextId++;
    return new Promise<OnlineDriftResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'compute', id });
    });
  }

  /** Hands the sample over every second and recomputes every `intervalMs` until `stop` (the timers do not keep the process alive). */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.handOver = setInterval(() => this.flush(), HAND_OVER_MS);
    this.handOver.unref();
    this.timer = setInterval(() => {
      this.compute().catch((e: unknown) => log.warn('online drift computation failed', e));
    }, this.opts.intervalMs ?? DEFAULT_DRIFT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timers and the thread. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.handOver !== undefined) clearInterval(this.handOver);
    this.queue = [];
    this.fail(new PrognosError('CONFLICT', 'online drift stopped'));
    await this.worker.terminate();
  }

  private flush(): void {
    if (this.queue.length === 0) return;
    const tables = this.queue;
    this.queue = [];
    this.seen = 0;
    this.send({ type: 'tables', tables });
  }

  private send(m: DriftThreadRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private receive(m: DriftThreadReply): void {
    switch (m.type) {
      case 'result': {
        this.last = m.result;
        try {
          this.opts.onResult?.(m.result);
        } catch (e) {
          log.warn('publishing the online drift failed', e);
        }
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.result);
        return;
      }
      case 'computeFailed': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.reject(new PrognosError('INTERNAL', `online drift: ${m.message}`));
        return;
      }
      case 'warn':
        log.warn(`online drift: ${m.message}`);
        return;
      default:
        return;
    }
  }

  private fail(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
