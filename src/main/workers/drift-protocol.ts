/** Request and answer of the drift worker (`drift:start`, `prognos drift`). */
import type { Chunking, DriftMethodChoice, DriftThresholds } from '../../shared/drift';
import type { CurrentLives } from '../core/drift/lives';
import type { DriftReportBody } from '../core/store/drift-reports';
import type { WireTable } from './import-protocol';
import type { BundleTrustOptions } from './score-protocol';
import type { TrainedArtifacts } from './trained-run';

/** The reference: a run of the store (its training table) or a bundle's own `drift/` reference. */
export type DriftReferenceSource =
  | Readonly<{ kind: 'run'; runId: string; label: string; artifacts: TrainedArtifacts; trainingTable: WireTable }>
  | Readonly<{ kind: 'bundle'; bundleId: string; label: string; path: string; trust: BundleTrustOptions }>;

/** The current data: a dataset of the store, or a file (the CLI's own, parsed in the worker, never imported). */
export type DriftCurrentSource =
  | Readonly<{ kind: 'dataset'; datasetId: string; label: string; table: WireTable }>
  | Readonly<{ kind: 'file'; path: string; displayName: string; rulPath?: string; rulDisplayName?: string }>;

export interface DriftOptions {
  readonly method: DriftMethodChoice;
  readonly thresholds: DriftThresholds;
  readonly datasetDriftShare: number;
  /** 'auto': life-stage matched when the reference runs to failure */
  readonly comparison: 'matched' | 'unmatched' | 'auto';
  /** without a RUL file: whether the current units ran to failure ('auto': from the model's alerts at their last rows) */
  readonly lives: CurrentLives;
  /** absent: the engine's default chunking */
  readonly chunking?: Chunking;
  readonly seed: number;
}

export interface DriftWorkerRequest {
  readonly reference: DriftReferenceSource;
  readonly current: DriftCurrentSource;
  readonly options: DriftOptions;
}

/** The report as the engine made it; main stores it (giving it its id and time). */
export type DriftWorkerValue = DriftReportBody;
