/** The structured-clone form of a finished training pipeline: what a worker sends back and a run stores. */
import type { LstmModelJson } from '../models/lstm';
import type { LstmOutcome, PipelineResult } from './train';

/** The LSTM as bytes: its description, weights and what its training recorded. */
export type LstmArtifacts = Omit<LstmOutcome, 'model'> & { json: LstmModelJson; weights: Uint8Array };

/** A PipelineResult with its models serialised. */
export type TrainOutcome = Omit<PipelineResult, 'gbdt' | 'lstm'> & { gbdtJson: object; bestIteration: number; lstm?: LstmArtifacts };

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
