/**
 * Request and answer of the report worker (`reports:start`, `prognos report`). Main (the reports
 * service) looks up everything that lives in the store — template, previous report of the fleet,
 * latest drift verdict — and the worker does the rest: parse or receive the table, score it, explain
 * the top units, assemble the document and draw the PDF. Same request, same bytes.
 */
import type { SensorCatalogue } from '../../shared/sensor-catalogue';
import type { ReportHealth, ReportRecord, ReportTemplate, RiskBucket } from '../../shared/report';
import type { WireTable } from './import-protocol';
import type { BundleTrustOptions } from './score-protocol';
import type { TrainedArtifacts } from './trained-run';

/** The model: a run of the store, or a bundle (verified in the worker under the trust policy). */
export type ReportModelSource =
  | Readonly<{ kind: 'run'; runId: string; artifacts: TrainedArtifacts }>
  | Readonly<{ kind: 'bundle'; bundleId: string | null; path: string; trust: BundleTrustOptions }>;

/** The fleet: a dataset of the store, or a file (the CLI's own, parsed in the worker, never imported). */
export type ReportFleetSource =
  | Readonly<{ kind: 'dataset'; datasetId: string; table: WireTable; fileName: string; rulFileName: string | null; fingerprint: string; quality: readonly string[]; sensors?: SensorCatalogue | null }>
  | Readonly<{ kind: 'file'; path: string; displayName: string; rulPath?: string; rulDisplayName?: string }>;

/** One unit of an earlier report, as kept in the store to say what changed. */
export interface ReportUnitDigest {
  readonly unit: number;
  readonly probability: number;
  readonly bucket: RiskBucket;
}

export interface ReportWorkerRequest {
  readonly model: ReportModelSource;
  readonly fleet: ReportFleetSource;
  /** the fleet's name (the request's, else the dataset's or file's name without extension) */
  readonly fleetName: string;
  readonly template: ReportTemplate;
  /** SHA-256 of the template's canonical JSON (for the appendix) */
  readonly templateSha256: string;
  readonly title?: string;
  readonly notes?: string;
  /** ISO 8601: the document's creation time */
  readonly createdAt: string;
  readonly appVersion: string;
  /** the latest stored report of the same fleet created before `createdAt`, if any */
  readonly previous: Readonly<{ record: ReportRecord; units: readonly ReportUnitDigest[] }> | null;
  /** the latest drift report of this fleet's data against this model, if any */
  readonly drift: ReportHealth['drift'] | null;
}

export interface ReportWorkerValue {
  /** the PDF */
  readonly bytes: Uint8Array;
  readonly pages: number;
  readonly sha256: string;
  readonly title: string;
  readonly fleet: string;
  readonly datasetFingerprint: string;
  /** the model's identity as the record keeps it */
  readonly runId: string;
  readonly bundleSha256: string | null;
  readonly units: number;
  readonly atRisk: number;
  readonly soon: number;
  /** every unit's probability and bucket, for the next report's "what changed" */
  readonly digest: readonly ReportUnitDigest[];
}
