/**
 * Between the services and the store worker (store-worker.ts), which lives as long as the services:
 * read a stored dataset's table or a finished run's artifacts, or insert an imported dataset.
 * Requests carry an id; answers come back with it, in any order.
 */
import type { ErrorValue } from '../../shared/errors';
import type { DatasetRecord } from '../../shared/schemas';
import type { NewDataset } from '../core/store/datasets';
import type { WireTable } from './import-protocol';
import type { TrainedArtifacts } from './trained-run';

export type StoreRequest =
  /** `dbPath`: the store's database file */
  | Readonly<{ op: 'table'; dbPath: string; datasetId: string }>
  | Readonly<{ op: 'artifacts'; dbPath: string; runId: string }>
  /** the dataset's columns are moved to the worker (their buffers transferred) */
  | Readonly<{ op: 'insertDataset'; dbPath: string; dataset: NewDataset }>;

export type StoreValue =
  | Readonly<{ op: 'table'; table: WireTable }>
  | Readonly<{ op: 'artifacts'; artifacts: TrainedArtifacts }>
  | Readonly<{ op: 'insertDataset'; dataset: DatasetRecord }>;

export type ToStoreWorker = Readonly<{ type: 'read'; id: number; request: StoreRequest }> | Readonly<{ type: 'close' }>;

export type FromStoreWorker =
  | Readonly<{ type: 'done'; id: number; value: StoreValue }>
  | Readonly<{ type: 'error'; id: number; error: ErrorValue }>
  | Readonly<{ type: 'closed' }>;
