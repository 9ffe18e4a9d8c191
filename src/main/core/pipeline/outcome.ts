/** The structured-clone form of a finished training pipeline: what a worker sends back and a run stores. */
import type { LstmModelJson } from '../models/lstm';
import type { RulOutcomeInfo } from '../rul/train-rul';
import type { LstmOutcome, PipelineResult } from './train';

/** The LSTM as bytes: its description, weights and what its training recorded. */
export type LstmArtifacts = Omit<LstmOutcome, 'model'> & { json: LstmModelJson; weights: Uint8Array };

/** The RUL models as bytes (XGBoost JSON regression, the LSTM's fractional head) with what their stage measured. */
export type RulArtifacts = RulOutcomeInfo & { gbdtJson: object; lstmModel?: { json: LstmModelJson; weights: Uint8Array } };

/** A PipelineResult with its models serialised. */
export type TrainOutcome = Omit<PipelineResult, 'gbdt' | 'lstm' | 'rul'> & { gbdtJson: object; bestIteration: number; lstm?: LstmArtifacts; rul?: RulArtifacts };

export function toOutcome(r: PipelineResult): TrainOutcome {
  const { gbdt, lstm, rul, ...rest } = r;
  const out: TrainOutcome = { ...rest, gbdtJson: gbdt.toXGBoostJson(), bestIteration: gbdt.bestIteration };
  if (lstm !== undefined) {
    const { model, ...info } = lstm;
    const s = model.serialize();
    out.lstm = { ...info, json: s.json, weights: s.weights };
    model.dispose();
  }
  if (rul !== undefined) {
    const { gbdt: rulGbdt, lstmModel, ...info } = rul;
    const s = lstmModel?.serialize();
    out.rul = { ...info, gbdtJson: rulGbdt.toXGBoostJson(), ...(s === undefined ? {} : { lstmModel: { json: s.json, weights: s.weights } }) };
    lstmModel?.dispose();
  }
  return out;
}
