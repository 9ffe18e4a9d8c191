/**
 * A finished run as plain data (what the store keeps: JSON artifacts and weight bytes), and the
 * models built from it inside a worker. Workers read the artifacts (run-artifacts.ts, each checked
 * against its SHA-256), parse them and build the tfjs LSTM: none of it on the thread that serves the UI.
 */
import * as tf from '@tensorflow/tfjs';
import { GbdtModel } from '../core/models/gbdt';
import { LstmModel, selectBackend, type LstmModelJson } from '../core/models/lstm';
import type { FeatureState } from '../core/features/engineer';
import type { TrainConfig } from '../core/pipeline/config';
import type { TrainedModels } from '../core/pipeline/train';
import type { ScalerParams } from '../core/split';
import type { RunRecord } from '../core/store/runs';
import type { Calibration } from '../core/rul/types';
import type { RulRunResult } from '../core/pipeline/saved-run';

/** What evaluation, scoring and export need of a finished run. */
export interface TrainedRun extends TrainedModels {
  record: RunRecord;
  config: TrainConfig;
  selected: string[];
  threshold: number;
}

export interface TrainedArtifacts {
  readonly record: RunRecord;
  readonly config: TrainConfig;
  readonly featureState: FeatureState;
  readonly selected: string[];
  /** XGBoost JSON model text */
  readonly gbdtJson: string;
  readonly lstm: { readonly json: string; readonly weights: Uint8Array; readonly scaler: ScalerParams } | null;
  readonly weight: number;
  readonly threshold: number;
  /** calibration of the headline probability; the threshold is on the calibrated scale */
  readonly calibration: Calibration;
  /** the RUL models (XGBoost JSON regression, the LSTM's fractional head on the classifier's scaler) and their record */
  readonly rul?: { readonly gbdtJson: string; readonly lstm: { readonly json: string; readonly weights: Uint8Array } | null; readonly result: RulRunResult } | null;
}

/** Builds the run's models; the caller owns the LSTM's tensors (see `releaseTrained`). */
export async function buildTrained(a: TrainedArtifacts): Promise<TrainedRun> {
  // the LSTM runs on the fastest tfjs backend this machine has (native, else WebAssembly, else plain JS)
  if (a.lstm !== null) await selectBackend();
  if (a.rul?.lstm != null) await selectBackend();
  const lstm = a.lstm === null ? undefined : { model: LstmModel.load(JSON.parse(a.lstm.json) as LstmModelJson, a.lstm.weights), scaler: a.lstm.scaler };
  const r = a.rul ?? null;
  const rul =
    r === null
      ? undefined
      : {
          gbdt: GbdtModel.fromXGBoostJson(JSON.parse(r.gbdtJson) as unknown),
          ...(r.lstm === null || lstm === undefined ? {} : { lstm: LstmModel.load(JSON.parse(r.lstm.json) as LstmModelJson, r.lstm.weights) }),
          weight: r.lstm === null || lstm === undefined ? 1 : r.result.weight,
          cap: r.result.cap,
          interval: r.lstm === null || lstm === undefined ? (r.result.intervals.gbdt ?? r.result.interval) : r.result.interval,
          intervals: r.result.intervals,
        };
  return {
    record: a.record,
    config: a.config,
    featureState: a.featureState,
    selected: a.selected,
    gbdt: GbdtModel.fromXGBoostJson(JSON.parse(a.gbdtJson) as unknown),
    ...(lstm === undefined ? {} : { lstm }),
    ...(rul === undefined ? {} : { rul }),
    weight: a.weight,
    threshold: a.threshold,
    calibration: a.calibration,
  };
}

/** Frees the tfjs variables of a run's LSTM (a no-op for a GBDT-only run). */
export function releaseTrained(t: TrainedModels): void {
  t.lstm?.model.dispose();
  t.rul?.lstm?.dispose();
}

/** tfjs tensors alive in this thread (the engine's own count; 0 before any backend is ready) */
export function tensorCount(): number {
  return tf.engine().state.numTensors;
}
