/** Request and answer of the export worker (`bundles:export`, `prognos export`). */
import type { ColumnInfo } from '../core/data/table';
import type { WrittenBundle } from '../core/export';
import type { WireTable } from './import-protocol';
import type { TrainedArtifacts } from './trained-run';

export interface ExportRequest {
  readonly artifacts: TrainedArtifacts;
  readonly appVersion: string;
  readonly columns: readonly ColumnInfo[];
  readonly datasetName: string;
  readonly created?: string;
  readonly out: string;
  readonly zip?: boolean;
  /** Ed25519 private key (PEM text) */
  readonly signKey?: string;
  readonly overwrite?: boolean;
  /** the table the run was trained on: its training units become the bundle's drift reference (drift/) */
  readonly trainingTable?: WireTable;
}
export type ExportValue = WrittenBundle;
