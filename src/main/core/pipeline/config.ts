/**
 * The training configuration: one JSON document, edited as a form or in Monaco under the same
 * schema, validated again before use, stored with every run.
 */
import { z } from 'zod';
import { PrognosError } from '../../../shared/errors';
import { featureSpecSchema } from '../features/spec';
import { DEFAULT_ENSEMBLE_CRITERION, ENSEMBLE_CRITERIA } from '../../../shared/ensemble-choice';
import { lstmParamsSchema, MAX_MEMBERS } from '../models/lstm/params';

export const gbdtParamsSchema = z
  .object({
    nEstimators: z.number().int().min(1).max(5000).default(185).describe('boosting rounds (trees)'),
    maxDepth: z.number().int().min(1).max(16).default(8).describe('maximum tree depth'),
    eta: z.number().gt(0).max(1).default(0.1).describe('learning rate'),
    minChildWeight: z.number().min(0).default(1).describe('minimum hessian sum in a child'),
    lambda: z.number().min(0).default(1).describe('L2 regularisation of leaf weights'),
    alpha: z.number().min(0).default(0).describe('L1 regularisation of leaf weights'),
    gamma: z.number().min(0).default(0).describe('minimum loss reduction to split'),
    subsample: z.number().gt(0).max(1).default(0.8).describe('row fraction sampled per tree'),
    colsampleBytree: z.number().gt(0).max(1).default(0.8).describe('feature fraction sampled per tree'),
    maxBin: z.number().int().min(2).max(1024).default(256).describe('histogram bins per feature'),
    scalePosWeight: z
      .union([z.number().gt(0), z.literal('balanced')])
      .default(1)
      .describe('weight of positive rows; "balanced" = negatives / positives in the training rows'),
    earlyStoppingRounds: z.number().int().min(0).default(20).describe('stop after this many rounds without a better validation logloss (0 = off)'),
  })
  .strict();

export const splitConfigSchema = z
  .object({
    train: z.number().gt(0).lt(1).default(0.7),
    validation: z.number().gt(0).lt(1).default(0.15),
    test: z.number().min(0).lt(1).default(0.15),
    mode: z.enum(['random', 'chronological']).default('random').describe('random: seeded shuffle of units; chronological: units in file order'),
  })
  .strict()
  .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, { message: 'split fractions must add up to 1' });

/** The LSTM's parameters in a training config: those of one network, and how many to average. */
const pipelineLstmSchema = lstmParamsSchema.omit({ seed: true }).extend({
  members: z
    .number()
    .int()
    .min(1)
    .max(MAX_MEMBERS)
    .default(3)
    .describe('networks trained with consecutive seeds and averaged, for the classifier and for the RUL head alike (each costs one more training); 3 by default, chosen on held-out units of FD001 (docs/fd001-recipe.md)'),
});

export const trainConfigSchema = z
  .object({
    seed: z.number().int().default(42).describe('seed of the split, the samplers and the models'),
    labelWindow: z.number().int().min(1).max(1000).default(30).describe('label: failure within W cycles (RUL ≤ W)'),
    historyWindow: z.number().int().min(1).max(500).default(30).describe('cycles of history in a sequence; evaluation uses rows with a full window'),
    features: featureSpecSchema.default(featureSpecSchema.parse({})),
    topK: z.number().int().min(1).max(2000).default(40).describe('keep the K best-ranked features'),
    manualFeatures: z.array(z.string()).optional().describe('hand-picked features (replace the top-K choice)'),
    rankWithGain: z.boolean().default(true).describe('include a quick GBDT gain importance in the feature ranking'),
    rankingWeights: z
      .object({
        mutualInfo: z.number().min(0).default(1),
        spearman: z.number().min(0).default(1),
        monotonicity: z.number().min(0).default(1),
        trendability: z.number().min(0).default(1),
        prognosability: z.number().min(0).default(1),
        gain: z.number().min(0).default(30),
      })
      .strict()
      .default({ mutualInfo: 1, spearman: 1, monotonicity: 1, trendability: 1, prognosability: 1, gain: 30 })
      .describe('weight of each metric’s rank in the combined rank; the model gain counts most because the prognostic metrics alone favour redundant smoothed copies of the same sensor'),
    split: splitConfigSchema.default({ train: 0.7, validation: 0.15, test: 0.15, mode: 'random' }),
    models: z
      .array(z.enum(['gbdt', 'lstm']))
      .min(1)
      .default(['gbdt', 'lstm'])
      .describe('gbdt: gradient-boosted trees on the last row’s features; lstm: LSTM with attention on the last historyWindow rows'),
    gbdt: gbdtParamsSchema.default(gbdtParamsSchema.parse({})),
    lstm: pipelineLstmSchema.default(pipelineLstmSchema.parse({})),
    sequenceStride: z.number().int().min(1).max(100).default(1).describe('train the LSTM on every n-th window of each training unit'),
    ensemble: z
      .object({
        weight: z.number().min(0).max(1).default(0.6).describe('P = w·P_gbdt + (1 − w)·P_lstm'),
        optimise: z.boolean().default(true).describe('choose w on the validation units (by `criterion`) instead of using `weight`; the threshold is the F2-best one either way'),
        criterion: z
          .enum(ENSEMBLE_CRITERIA)
          .default(DEFAULT_ENSEMBLE_CRITERION)
          .describe('how w is chosen on the 0.05 grid: log-loss (default), the blend with the lowest validation log-loss; f2, the best F2 at each weight’s own best threshold'),
      })
      .strict()
      .default({ weight: 0.6, optimise: true, criterion: DEFAULT_ENSEMBLE_CRITERION }),
    calibration: z
      .object({
        method: z
          .enum(['auto', 'platt', 'isotonic', 'none'])
          .default('auto')
          .describe('calibration of the headline probability on the validation units; auto chooses none, platt or isotonic by cross-validation over those units'),
      })
      .strict()
      .default({ method: 'auto' }),
    rul: z
      .object({
        enabled: z.boolean().default(true).describe('train remaining-useful-life models (GBDT regression on the rul.topK best-ranked features and, with rul.trend, the trends since the start; and the LSTM’s fractional head when the LSTM is in the models)'),
        cap: z.number().gt(0).max(10000).default(125).describe('piecewise-linear knee: the RUL models learn min(RUL, cap) cycles'),
        coverage: z.number().gt(0.5).lt(1).default(0.9).describe('nominal coverage of the split-conformal RUL interval'),
        gbdt: z
          .object({
            nEstimators: z.number().int().min(1).max(5000).default(2000),
            maxDepth: z.number().int().min(1).max(16).default(4),
            eta: z.number().gt(0).max(1).default(0.05),
            minChildWeight: z.number().min(0).default(40).describe('minimum rows in a leaf (hessian sum; one per row in a regression)'),
            earlyStoppingRounds: z.number().int().min(0).default(50),
          })
          .strict()
          .default({ nEstimators: 2000, maxDepth: 4, eta: 0.05, minChildWeight: 40, earlyStoppingRounds: 50 })
          .describe('the RUL trees: these over the classifier’s GBDT parameters (early stopping on the validation RMSE); depth 4 and 40 rows a leaf were chosen on held-out units of FD001 (docs/fd001-recipe.md)'),
        topK: z
          .number()
          .int()
          .min(1)
          .max(2000)
          .default(160)
          .describe('the RUL trees learn from the K best-ranked features (the classifier’s ranking; hand-picked features first), not only the classifier’s topK; 160 chosen on held-out units of FD001 (docs/fd001-recipe.md)'),
        trend: z
          .boolean()
          .default(true)
          .describe('the RUL trees also learn from every kept sensor’s trend since the unit’s start (`s11_trend`: the least-squares slope over all its cycles so far), engineered for them and not ranked, so the classifier’s features are unchanged (unless the feature spec includes the trends, which then are ranked like any feature); chosen on held-out units of FD001 (docs/fd001-recipe.md)'),
        seeds: z.number().int().min(1).max(10).default(3).describe('without cross-fitting (folds 0): RUL tree ensembles trained with consecutive seeds and averaged (stored as one model)'),
        folds: z
          .union([z.literal(0), z.number().int().min(2).max(20)])
          .default(0)
          .describe('0 (default): the RUL trees learn from the training units with early stopping on the validation units; K ≥ 2: they are cross-fitted over the training and validation units (K models, each stopping early on its own held-out fold of units, averaged into one; ensemble weight and intervals fitted on out-of-fold predictions). Compared on held-out training units of FD001 (docs/fd001-recipe.md), cross-fitting did not beat the default'),
      })
      .strict()
      .default({ enabled: true, cap: 125, coverage: 0.9, gbdt: { nEstimators: 2000, maxDepth: 4, eta: 0.05, minChildWeight: 40, earlyStoppingRounds: 50 }, topK: 160, trend: true, seeds: 3, folds: 0 })
      .describe('remaining useful life beside the failure risk'),
  })
  .strict();

export type TrainConfig = z.output<typeof trainConfigSchema>;

/** The LSTM parameters `trainLstm` takes (every field of `config.lstm` but `members`), with the run's seed. */
export function lstmTrainParams(config: Pick<TrainConfig, 'lstm' | 'seed'>): Omit<TrainConfig['lstm'], 'members'> & { seed: number } {
  const { members: _members, ...params } = config.lstm;
  return { ...params, seed: config.seed };
}
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Validates a training config; problems are listed with their path (e.g. `gbdt.maxDepth`). */
export function parseTrainConfig(input: unknown): TrainConfig {
  const r = trainConfigSchema.safeParse(input ?? {});
  if (!r.success) throw new PrognosError('INVALID_INPUT', `Invalid training config:\n${z.prettifyError(r.error)}`);
  return r.data;
}

export const trainConfigJsonSchema: Record<string, unknown> = {
  title: 'Prognos training configuration',
  ...z.toJSONSchema(trainConfigSchema, { io: 'input', target: 'draft-7' }),
};
