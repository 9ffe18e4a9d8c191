/** The JSON form of a finished training pipeline: what a worker sends back and a run stores. */
import type { FeatureDef, FeatureState } from '../features/engineer';
import type { FeatureRank } from '../features/ranking';
import type { UnitSplit } from '../split';
import type { Curves, PipelineResult, SplitMetrics } from './train';

export interface TrainOutcome {
  split: UnitSplit;
  featureState: FeatureState;
  engineeredCount: number;
  ranking: FeatureRank[];
  selected: string[];
  selectedDefs: FeatureDef[];
  gbdtJson: object;
  bestIteration: number;
  threshold: number;
  metrics: { gbdt: SplitMetrics };
  curves: { gbdt: { validation: Curves; test: Curves | null } };
  validationScores: { gbdt: number[]; label: number[] };
  importance: Record<string, number>;
  timings: Record<string, number>;
  rows: { train: number; validation: number; test: number };
}

export function toOutcome(r: PipelineResult): TrainOutcome {
  const { gbdt, ...rest } = r;
  return { ...rest, gbdtJson: gbdt.toXGBoostJson(), bestIteration: gbdt.bestIteration };
}
