/** Request and answer of the evaluation worker (official scoring of a run on a test file and its RUL file). */
import type { OfficialScores } from '../core/eval/official';
import type { RulMetrics } from '../core/rul/types';
import type { TrainedArtifacts } from './trained-run';

export interface EvaluateRequest {
  readonly artifacts: TrainedArtifacts;
  readonly dataPath: string;
  readonly rulPath: string;
}

export interface EvaluateValue {
  /** each model at its own F2-tuned validation threshold, the ensemble at the run's threshold */
  readonly models: { readonly model: 'gbdt' | 'lstm' | 'ensemble'; readonly threshold: number; readonly scores: OfficialScores }[];
  /** the run's own probability (the ensemble, or the GBDT alone) at the run's threshold */
  readonly headline: OfficialScores;
  /** RUL per model at each unit's last cycle (true RUL from the RUL file, uncapped), when the run has RUL models */
  readonly rul?: { gbdt: RulMetrics; lstm?: RulMetrics; ensemble?: RulMetrics };
}
