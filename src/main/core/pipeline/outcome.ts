/** The structured-clone form of a finished training pipeline: what a worker sends back and a run stores. */
import type { EnsembleChoice } from '../eval/ensemble';
import type { FeatureDef, FeatureState } from '../features/engineer';
import type { FeatureRank } from '../features/ranking';
import type { EpochRecord, LstmModelJson } from '../models/lstm';
import type { ScalerParams, UnitSplit } from '../split';
import type { Curves, ModelName, PipelineResult, SplitMetrics } from './train';

export interface LstmArtifacts {
  json: LstmModelJson;
  weights: Uint8Array;
  scaler: ScalerParams;
  history: EpochRecord[];
  bestEpoch: number;
  backend: string;
  threads: number;
  windows: { train: number; padded: number; shortUnits: number[] };
}

export interface TrainOutcome {
  split: UnitSplit;
  featureState: FeatureState;
  engineeredCount: number;
  ranking: FeatureRank[];
  selected: string[];
  selectedDefs: FeatureDef[];
  gbdtJson: object;
  bestIteration: number;
  lstm?: LstmArtifacts;
  threshold: number;
  weight: number;
  thresholds: Partial<Record<ModelName, number>>;
  metrics: Partial<Record<ModelName, SplitMetrics>>;
  curves: Partial<Record<ModelName, { validation: Curves; test: Curves | null }>>;
  validationScores: Partial<Record<ModelName, number[]>> & { label: number[] };
  ensembleGrid?: EnsembleChoice[];
  importance: Record<string, number>;
  timings: Record<string, number>;
  rows: { train: number; validation: number; test: number };
}

export function toOutcome(r: PipelineResult): TrainOutcome {
  const { gbdt, lstm, ...rest } = r;
  const out: TrainOutcome = { ...rest, gbdtJson: gbdt.toXGBoostJson(), bestIteration: gbdt.bestIteration };
  if (lstm !== undefined) {
    const { model, ...info } = lstm;
    const s = model.serialize();
    out.lstm = { ...info, json: s.json, weights: s.weights };
    model.dispose();
  }
  return out;
}
