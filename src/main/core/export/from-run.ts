/** A BundleInput from a finished training run as the store keeps it (run record, model, feature recipe). */
import type { ColumnInfo } from '../data/table';
import type { FeatureState } from '../features/engineer';
import type { GbdtModel } from '../models/gbdt';
import type { TrainConfig } from '../pipeline/config';
import type { RulModels } from '../rul/train-rul';
import type { ScalerParams } from '../split';
import type { RunRecord } from '../store/runs';
import type { Calibration } from '../rul/types';
import type { BundleInput } from './bundle';
import type { LstmMembers } from './lstm-onnx';
import type { PipelineRul } from './pipeline-onnx';

export interface RunForExport {
  readonly record: Pick<RunRecord, 'runId' | 'seed' | 'datasetFingerprint' | 'backend' | 'result' | 'config'>;
  readonly config: TrainConfig;
  readonly featureState: FeatureState;
  readonly selected: readonly string[];
  readonly gbdt: GbdtModel;
  readonly threshold: number;
  /** calibration of the headline probability (none when absent) */
  readonly calibration?: Calibration;
}

export interface ExportContext {
  readonly appVersion: string;
  /** The dataset's value columns as imported (settings and sensors). */
  readonly columns: readonly ColumnInfo[];
  readonly datasetName?: string;
  readonly created?: string;
  /** The run's sequence model, its scaler and ensemble weight, when it has one. */
  readonly lstm?: { readonly weights: LstmMembers; readonly scaler: ScalerParams; readonly features?: readonly string[]; readonly weight: number };
  readonly pipeline?: boolean;
  /** The run's RUL models (regression GBDT, the LSTM head's weights), cap, weight and interval, when it has them. */
  readonly rul?: PipelineRul;
}

/** A run's RUL models as a bundle takes them: the LSTM head as weights (it reads the classifier LSTM's windows). */
export function rulForExport(r: RulModels): PipelineRul {
  return { cap: r.cap, weight: r.weight, interval: r.interval, gbdt: r.gbdt, ...(r.lstm === undefined ? {} : { lstm: r.lstm.exportWeights() }) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bundleInputFromRun(run: RunForExport, ctx: ExportContext): BundleInput {
  const result = isRecord(run.record.result) ? run.record.result : {};
  const metrics = isRecord(result.metrics) ? result.metrics : {};
  const u = result.units;
  const units =
    isRecord(u) && typeof u.train === 'number' && typeof u.validation === 'number' && typeof u.test === 'number'
      ? { train: u.train, validation: u.validation, test: u.test }
      : undefined;
  return {
    runId: run.record.runId,
    appVersion: ctx.appVersion,
    ...(ctx.created === undefined ? {} : { created: ctx.created }),
    datasetFingerprint: run.record.datasetFingerprint,
    ...(ctx.datasetName === undefined ? {} : { datasetName: ctx.datasetName }),
    columns: ctx.columns,
    labelWindow: run.config.labelWindow,
    windowLength: run.config.historyWindow,
    featureState: run.featureState,
    selected: run.selected,
    gbdt: run.gbdt,
    ...(ctx.lstm === undefined
      ? { weight: 1 }
      : {
          lstm: ctx.lstm.weights,
          scaler: ctx.lstm.scaler,
          ...(ctx.lstm.features === undefined ? {} : { lstmFeatures: ctx.lstm.features }),
          weight: ctx.lstm.weight,
        }),
    threshold: run.threshold,
    ...(run.calibration === undefined ? {} : { calibration: run.calibration }),
    metrics,
    backend: run.record.backend ?? 'unknown',
    seed: run.record.seed,
    ...(units === undefined ? {} : { units }),
    trainingConfig: run.record.config,
    ...(ctx.pipeline === undefined ? {} : { pipeline: ctx.pipeline }),
    ...(ctx.rul === undefined ? {} : { rul: ctx.rul }),
  };
}
