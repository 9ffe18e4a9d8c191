/**
 * Several LSTMs trained with consecutive seeds and averaged into one model (LstmModel.combine).
 *
 * A network that stops early after two or three epochs depends much on its seed; the mean of a few
 * seeds varies less and scores better on held-out units (docs/fd001-recipe.md, "Seeds of the LSTM
 * averaged"). Each member is a plain `trainLstm` run on the same windows with seed `seed + k`; the
 * first member's history is the run's training curve, every member's best epoch is kept.
 */
import { PrognosError } from '../../../../shared/errors';
import { LstmModel } from './model';
import { resolveLstmParams, type LstmParams } from './params';
import { trainLstm, type BatchProgress, type EpochProgress, type LabelledWindows, type LstmTrainResult, type TrainLstmHooks } from './train';

export interface MemberProgress {
  /** 0-based member index */
  member: number;
  members: number;
}

export interface TrainMembersHooks extends Omit<TrainLstmHooks, 'onBatch' | 'onEpoch'> {
  /**
   * `fraction` of the whole training (every member), 0–1; `etaAllSeconds`, the estimate for the rest of
   * every member (this one's remaining epochs, then the members still to come at this one's pace, all
   * before early stopping, which may end each sooner)
   */
  onBatch?: (p: BatchProgress & MemberProgress & { fraction: number; etaAllSeconds: number }) => void;
  onEpoch?: (p: EpochProgress & MemberProgress) => void;
}

export interface MemberSummary {
  seed: number;
  bestEpoch: number;
  epochs: number;
  bestValLoss: number;
  seconds: number;
}

export interface LstmMembersResult extends Omit<LstmTrainResult, 'model'> {
  /** the mean of every member (a plain single-network model when members is 1) */
  model: LstmModel;
  /** one per member, in seed order; the result's own history and best epoch are the first member's */
  members: MemberSummary[];
}

/** Trains `members` networks with seeds `params.seed`, `params.seed + 1`, … and averages them. */
export async function trainLstmMembers(
  train: LabelledWindows,
  valid: LabelledWindows,
  params: Partial<LstmParams> & { seed: number },
  members: number,
  hooks: TrainMembersHooks = {},
): Promise<LstmMembersResult> {
  if (!Number.isInteger(members) || members < 1) throw new PrognosError('INVALID_INPUT', `LSTM members must be a whole number ≥ 1, got ${members}`);
  const { onBatch, onEpoch, ...rest } = hooks;
  const { epochs } = resolveLstmParams(params);
  const results: LstmTrainResult[] = [];
  try {
    for (let k = 0; k < members; k++) {
      const r = await trainLstm(train, valid, { ...params, seed: params.seed + k }, {
        ...rest,
        ...(onBatch === undefined
          ? {}
          : {
              onBatch: (b: BatchProgress) => {
                const done = b.epoch - 1 + b.batch / b.batches;
                const perEpoch = b.etaSeconds / Math.max(1e-9, epochs - done);
                onBatch({ ...b, member: k, members, fraction: (k + done / epochs) / members, etaAllSeconds: b.etaSeconds + (members - 1 - k) * perEpoch * epochs });
              },
            }),
        ...(onEpoch === undefined ? {} : { onEpoch: (e: EpochProgress) => onEpoch({ ...e, member: k, members }) }),
      });
      results.push(r);
    }
    const first = results[0]!;
    const model = members === 1 ? first.model : LstmModel.combine(results.map((r) => r.model));
    return {
      ...first,
      model,
      seconds: results.reduce((s, r) => s + r.seconds, 0),
      members: results.map((r, k) => ({ seed: params.seed + k, bestEpoch: r.bestEpoch, epochs: r.history.length, bestValLoss: r.bestValLoss, seconds: r.seconds })),
    };
  } finally {
    // the members' own models are copied into the combined one
    if (members > 1) for (const r of results) r.model.dispose();
  }
}
