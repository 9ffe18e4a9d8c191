/**
 * Between the services and the store-read worker (store-read-worker.ts), which lives as long as the
 * services: read a stored dataset's table, or a finished run's artifacts. Requests carry an id;
 * answers come back with it, in any order.
 */
import type { ErrorValue } from '../../shared/errors';
import type { WireTable } from './import-protocol';
import type { TrainedArtifacts } from './trained-run';

export type StoreReadRequest =
  /** `dbPath`: the store's database file */
  | Readonly<{ op: 'table'; dbPath: string; datasetId: string }>
  | Readonly<{ op: 'artifacts'; dbPath: string; runId: string }>;

export type StoreReadValue = Readonly<{ op: 'table'; table: WireTable }> | Readonly<{ op: 'artifacts'; artifacts: TrainedArtifacts }>;

export type ToStoreReader = Readonly<{ type: 'read'; id: number; request: StoreReadRequest }> | Readonly<{ type: 'close' }>;

export type FromStoreReader =
  | Readonly<{ type: 'done'; id: number; value: StoreReadValue }>
  | Readonly<{ type: 'error'; id: number; error: ErrorValue }>
  | Readonly<{ type: 'closed' }>;
