import { Worker } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import { closeLongLivedWorker } from './worker-close';
import type { DatasetRecord } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import type { NewDataset } from '../core/store/datasets';
import { fromWire } from '../workers/import-protocol';
import type { FromStoreWorker, StoreRequest, StoreValue, ToStoreWorker } from '../workers/store-protocol';
import type { TrainedArtifacts } from '../workers/trained-run';

/**
 * The services' side of the store-read worker (store-worker.ts): started on first use and kept
 * while the services live, so a read costs the read, not a worker's start; restarted if it dies; closed
 * with the services. A read whose signal aborts is answered CANCELLED at once (reads are short; the
 * worker's late answer is dropped).
 */
export class StoreHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: StoreValue): void; reject(e: Error): void }>();

  constructor(
    private readonly script: string,
    private readonly dbPath: string,
  ) {}

  async table(datasetId: string, signal: AbortSignal): Promise<FleetTable> {
    const v = await this.read({ op: 'table', dbPath: this.dbPath, datasetId }, signal);
    if (v.op !== 'table') throw new PrognosError('INTERNAL', 'the store-read worker answered another request');
    return fromWire(v.table);
  }

  async artifacts(runId: string, signal: AbortSignal): Promise<TrainedArtifacts> {
    const v = await this.read({ op: 'artifacts', dbPath: this.dbPath, runId }, signal);
    if (v.op !== 'artifacts') throw new PrognosError('INTERNAL', 'the store-read worker answered another request');
    return v.artifacts;
  }

  /** Starts the worker ahead of the first read (the app does, so its first chart waits for no start). */
  warm(): void {
    this.start();
  }

  /**
   * Inserts an imported dataset in the worker, one transaction. The table's columns move there (their
   * buffers are transferred, not copied) and are unusable here afterwards. Not cancellable once sent:
   * like any commit, it completes or leaves the store as it was.
   */
  async insertDataset(dataset: NewDataset): Promise<DatasetRecord> {
    const t = dataset.table;
    const buffers = [t.unit.buffer, t.cycle.buffer, ...t.values.map((v) => v.buffer)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    const v = await this.read({ op: 'insertDataset', dbPath: this.dbPath, dataset }, new AbortController().signal, [...new Set(buffers)]);
    if (v.op !== 'insertDataset') throw new PrognosError('INTERNAL', 'the store worker answered another request');
    return v.dataset;
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const w = new Worker(this.script);
    // an idle reader never keeps a process (the CLI) alive
    w.unref();
    w.on('message', (m: FromStoreWorker) => {
      if (m.type === 'closed') return;
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.value);
      else p.reject(PrognosError.fromValue(m.error));
    });
    const lost = (why: string): void => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new PrognosError('INTERNAL', `The store-read worker stopped (${why}); try again.`));
      this.pending.clear();
    };
    w.on('error', (e) => lost(e.message));
    w.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  private read(request: StoreRequest, signal: AbortSignal, transfer: ArrayBuffer[] = []): Promise<StoreValue> {
    if (signal.aborted) return Promise.reject(new PrognosError('CANCELLED', 'Cancelled.'));
    const w = this.start();
    const id = this.nextId++;
    return new Promise<StoreValue>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        reject(new PrognosError('CANCELLED', 'Cancelled.'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      w.postMessage({ type: 'read', id, request } satisfies ToStoreWorker, transfer);
    });
  }

  /** Closes the worker's connections and stops it. */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.worker = null;
    await closeLongLivedWorker(w);
    for (const p of this.pending.values()) p.reject(new PrognosError('CANCELLED', 'The services closed.'));
    this.pending.clear();
  }
}
