/** Hyperparameter sweeps on the contract: start one, list them, read one with its trials. */
import { z } from 'zod';

export const sweepObjectiveSchema = z.enum(['f2', 'rmse']);
export const sweepSamplerSchema = z.enum(['tpe', 'random', 'grid']);

export const sweepStartSchema = z.object({
  datasetId: z.string().min(1),
  /** the search space's JSON text (a training config whose values may be ranges) */
  space: z.string().min(1).max(200_000),
  trials: z.number().int().min(1).max(1000).default(20),
  objective: sweepObjectiveSchema.default('f2'),
  sampler: sweepSamplerSchema.default('tpe'),
  /** trials at once; default: the cores */
  parallel: z.number().int().min(1).max(64).optional(),
  seed: z.number().int().default(0),
  pruning: z.boolean().default(true),
});

export const sweepTrialSchema = z.object({
  trial: z.number().int(),
  runId: z.string().nullable(),
  status: z.enum(['pending', 'running', 'done', 'pruned', 'failed']),
  objective: z.number().nullable(),
  params: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  note: z.string().nullable(),
});

export const sweepSummarySchema = z.object({
  sweepId: z.string(),
  experimentId: z.string(),
  datasetId: z.string(),
  spaceFile: z.string(),
  status: z.enum(['running', 'done', 'cancelled', 'failed']),
  sampler: sweepSamplerSchema,
  objective: sweepObjectiveSchema,
  trials: z.number().int(),
  finished: z.number().int(),
  best: z.number().nullable(),
  createdAt: z.string(),
  /** the job running it in this process, if any */
  jobId: z.string().nullable(),
});

export const sweepDetailSchema = sweepSummarySchema.extend({
  space: z.string(),
  /** the searched parameters, in the space's order */
  params: z.array(z.object({ name: z.string(), kind: z.enum(['int', 'float', 'logFloat', 'choice']), lo: z.number().optional(), hi: z.number().optional(), options: z.array(z.unknown()).optional() })),
  trialList: z.array(sweepTrialSchema),
  bestRun: z.object({ runId: z.string(), objective: z.number(), trial: z.number().int() }).nullable(),
  /** the best trial's full training config */
  bestConfig: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});

export type SweepStart = z.input<typeof sweepStartSchema>;
export type SweepSummary = z.infer<typeof sweepSummarySchema>;
export type SweepDetail = z.infer<typeof sweepDetailSchema>;
export type SweepTrial = z.infer<typeof sweepTrialSchema>;
