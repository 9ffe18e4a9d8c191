/**
 * A finished run's artifacts as plain data, each checked against its SHA-256 as it is read. Shared by
 * the store's own connection (the CLI) and the workers' read-only ones (store-worker.ts and the
 * scoring worker), so the thread that serves the UI never reads or hashes a model.
 */
import { PrognosError } from '../../shared/errors';
import { validateCalibration } from '../core/eval/calibration';
import type { FeatureState } from '../core/features/engineer';
import { parseTrainConfig } from '../core/pipeline/config';
import { FEATURES_ARTIFACT, GBDT_ARTIFACT, LSTM_ARTIFACT, LSTM_WEIGHTS_ARTIFACT, RUL_GBDT_ARTIFACT, RUL_LSTM_ARTIFACT, RUL_LSTM_WEIGHTS_ARTIFACT, type RulRunResult } from '../core/pipeline/saved-run';
import type { CalibrationReport } from '../../shared/calibration';
import type { ScalerParams } from '../core/split';
import type { RunRecord } from '../core/store/runs';
import type { TrainedArtifacts } from './trained-run';

/** What the reader needs of a store: ExperimentStore, or a worker's read-only connection. */
export interface RunReader {
  getRun(runId: string): RunRecord | undefined;
  getArtifact(runId: string, name: string): { data: Buffer } | undefined;
}

/** The run's record, or NOT_FOUND / CONFLICT when it is missing or not finished. */
export function finishedRun(store: Pick<RunReader, 'getRun'>, runId: string): RunRecord {
  const record = store.getRun(runId);
  if (record === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
  if (record.status !== 'done') throw new PrognosError('CONFLICT', `Run ${runId} is ${record.status}, not finished.`);
  return record;
}

type EnsembleResult = { threshold: number; weight?: number; calibration?: CalibrationReport; rul?: RulRunResult };

/**
 * The analyst's ensemble choice as the record has it now: it changes after training (runs:setEnsemble),
 * so a cached model takes these from the record of each request.
 */
export function ensembleOf(record: RunRecord, hasLstm: boolean): Pick<TrainedArtifacts, 'weight' | 'threshold' | 'calibration'> {
  const result = record.result as EnsembleResult;
  return {
    weight: hasLstm ? (result.weight ?? 0.6) : 1,
    threshold: result.threshold,
    // runs trained before calibration carry none
    calibration: validateCalibration(result.calibration?.params ?? { method: 'none' }, `run ${record.runId}`),
  };
}

export function readRunArtifacts(store: RunReader, runId: string): TrainedArtifacts {
  const record = finishedRun(store, runId);
  const text = (name: string): string => {
    const a = store.getArtifact(runId, name);
    if (a === undefined) throw new PrognosError('NOT_FOUND', `Run ${runId} has no ${name}.`);
    return a.data.toString('utf8');
  };
  const features = JSON.parse(text(FEATURES_ARTIFACT)) as { featureState: FeatureState; selected: string[]; scaler: ScalerParams | null };
  const result = record.result as EnsembleResult;
  const weights = store.getArtifact(runId, LSTM_WEIGHTS_ARTIFACT);
  const lstm = weights === undefined || features.scaler === null ? null : { json: text(LSTM_ARTIFACT), weights: new Uint8Array(weights.data), scaler: features.scaler };
  return {
    record,
    config: parseTrainConfig(record.config),
    featureState: features.featureState,
    selected: features.selected,
    gbdtJson: text(GBDT_ARTIFACT),
    lstm,
    ...ensembleOf(record, lstm !== null),
    rul: rulArtifacts(store, runId, result.rul, text),
  };
}

/** The run's RUL models, when it trained them (runs from before RUL have none). */
function rulArtifacts(store: RunReader, runId: string, result: RulRunResult | undefined, text: (name: string) => string): TrainedArtifacts['rul'] {
  if (result === undefined) return null;
  const gbdt = store.getArtifact(runId, RUL_GBDT_ARTIFACT);
  if (gbdt === undefined) return null;
  const weights = store.getArtifact(runId, RUL_LSTM_WEIGHTS_ARTIFACT);
  return { gbdtJson: gbdt.data.toString('utf8'), lstm: weights === undefined ? null : { json: text(RUL_LSTM_ARTIFACT), weights: new Uint8Array(weights.data) }, result };
}
