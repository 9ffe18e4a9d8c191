/**
 * Messages between the services and the scoring worker, a long-lived thread that keeps the most
 * recently used models loaded (see model-cache.ts). Requests carry an id; the worker answers them
 * one at a time, in order, and checks for `cancel` between chunks of units.
 */
import type { ErrorValue } from '../../shared/errors';
import type { BundleTrust, TrustedKey, UnitScore } from '../core/export';
import type { WireTable } from './import-protocol';

export interface ScoredUnit extends UnitScore {
  /** true remaining cycles after the last row, when the data came with a RUL file */
  readonly trueRul?: number;
  /** predicted remaining useful life at the last row and its interval (runs with RUL models) */
  readonly rul?: number;
  readonly rulLow?: number;
  readonly rulHigh?: number;
}

export interface FleetScores {
  units: ScoredUnit[];
  /** alert when probability ≥ threshold */
  threshold: number;
  /** failure within W cycles */
  labelWindow: number;
  /** what the bundle's signature proves (bundle scoring only) */
  trust?: BundleTrust;
  /** nominal coverage of the rulLow–rulHigh intervals, when the model has RUL */
  rulCoverage?: number;
}

export interface UnitSeries {
  unit: number;
  cycle: number[];
  probability: number[];
  gbdt: number[];
  lstm: number[] | null;
}

export interface SeriesValue {
  threshold: number;
  units: UnitSeries[];
}

/** What the worker holds, for the soak benchmark and tests. */
export interface ScoreWorkerStats {
  /** tf.memory().numTensors in the worker */
  tensors: number;
  /** models currently cached */
  cached: number;
  /** models released so far (evicted or closed) */
  released: number;
  rss: number;
  heapUsed: number;
}

export type ScoreSource =
  /** a finished run of the store at `dbPath`: the worker reads its artifacts (once while its models stay cached) and its current ensemble choice (every request) */
  | Readonly<{ kind: 'run'; runId: string; dbPath: string }>
  /** `version` changes when the bundle on disk changes (size and modification time) */
  | Readonly<{ kind: 'bundle'; path: string; version: string; engine: 'models' | 'pipeline'; trust: BundleTrustOptions }>;

/** the keyring, and whether the policy (or the caller) requires a trusted signature */
export type BundleTrustOptions = Readonly<{ trustedKeys: readonly TrustedKey[]; requireTrusted: boolean }>;

export interface ScoreReplies {
  score: FleetScores;
  series: SeriesValue;
  stats: ScoreWorkerStats;
}

export type ScoreRequest =
  | Readonly<{ type: 'score'; source: ScoreSource; table: WireTable }>
  | Readonly<{ type: 'series'; source: ScoreSource; table: WireTable; units: readonly number[] }>
  | Readonly<{ type: 'stats' }>;

export type ToScoreWorker =
  | (ScoreRequest & Readonly<{ id: number }>)
  | Readonly<{ type: 'cancel'; id: number }>
  /** release every cached model, answer `closed`, then wait to be terminated */
  | Readonly<{ type: 'close' }>;

export type FromScoreWorker =
  | Readonly<{ type: 'progress'; id: number; fraction: number; message: string }>
  | Readonly<{ type: 'done'; id: number; value: ScoreReplies[keyof ScoreReplies] }>
  | Readonly<{ type: 'error'; id: number; error: ErrorValue }>
  | Readonly<{ type: 'closed' }>;
