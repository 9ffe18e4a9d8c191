/** Requests of the store-read worker (short calls): read a stored dataset's table, or a finished run's artifacts. */
import type { WireTable } from './import-protocol';
import type { TrainedArtifacts } from './trained-run';

export type StoreReadRequest =
  /** `dbPath`: the store's database file */
  | Readonly<{ op: 'table'; dbPath: string; datasetId: string }>
  | Readonly<{ op: 'artifacts'; dbPath: string; runId: string }>;

export type StoreReadValue = Readonly<{ op: 'table'; table: WireTable }> | Readonly<{ op: 'artifacts'; artifacts: TrainedArtifacts }>;
