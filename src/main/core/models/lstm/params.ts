/**
 * Hyper-parameters of the LSTM + attention model. The zod schema is the one to embed in the
 * training configuration; `resolveLstmParams` merges partial input over the defaults.
 */
import { z } from 'zod';
import { PrognosError } from '../../../../shared/errors';

export const lstmParamsSchema = z
  .object({
    units1: z.number().int().min(1).max(1024).default(64).describe('units of the first LSTM layer'),
    units2: z.number().int().min(1).max(1024).default(32).describe('units of the second LSTM layer'),
    attentionUnits: z.number().int().min(1).max(1024).default(32).describe('hidden size of the additive attention'),
    dropout: z.number().min(0).lt(1).default(0.2).describe('dropout rate on the attention context'),
    learningRate: z.number().gt(0).max(1).default(1e-3).describe('Adam learning rate'),
    batchSize: z
      .number()
      .int()
      .min(2)
      .max(8192)
      .default(256)
      .describe('windows per gradient step (split in two equal halves that run on two threads)'),
    epochs: z.number().int().min(1).max(1000).default(30).describe('maximum passes over the training windows'),
    patience: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('stop after this many epochs without a lower validation loss (0 = never stop early)'),
    classWeight: z
      .union([z.literal('balanced'), z.number().gt(0)])
      .default('balanced')
      .describe('weight of positive windows; "balanced" = negatives / positives in the training windows'),
    seed: z.number().int().default(42).describe('seed of the initial weights, the shuffles and the dropout masks'),
  })
  .strict();

export type LstmParams = z.output<typeof lstmParamsSchema>;

/** the most networks one LSTM model may average (LstmModel.combine, `lstm.members` in a training config) */
export const MAX_MEMBERS = 10;
export type LstmParamsInput = z.input<typeof lstmParamsSchema>;

export const DEFAULT_LSTM_PARAMS: LstmParams = Object.freeze(lstmParamsSchema.parse({}));

/** Validates `input` (missing fields take their defaults); INVALID_INPUT lists every problem. */
export function resolveLstmParams(input: LstmParamsInput | Partial<LstmParams> = {}): LstmParams {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const r = lstmParamsSchema.safeParse(defined);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
    throw new PrognosError('INVALID_INPUT', `LSTM parameters: ${problems.join('; ')}`);
  }
  return r.data;
}
