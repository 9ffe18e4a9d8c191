/**
 * What a client that (re)connects learns about work in progress and work done before it came:
 * the active jobs with their history so far (`jobs:list`), the stored feature rankings
 * (`features:stored`) and the stored fleet scores (`fleet:stored`).
 */
import { z } from 'zod';
import { featureRankingSchema, fleetScoresSchema, jobKindSchema, scorerSchema } from './schemas';

/** one point of a loss curve as `train:iteration` carried it */
export const curvePointSchema = z.object({
  iteration: z.number().int(),
  trainLoss: z.number(),
  validLoss: z.number().optional(),
});
export type CurvePoint = z.infer<typeof curvePointSchema>;

/** what a job works on, so a view can tell its own kind of job apart (a training run, a dataset, a scorer) */
export const jobSubjectSchema = z.object({
  datasetId: z.string().optional(),
  runId: z.string().optional(),
  scorer: scorerSchema.optional(),
});
export type JobSubject = z.infer<typeof jobSubjectSchema>;

/** a running job with its progress and the curve points it has produced so far (bounded) */
export const activeJobSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  fraction: z.number(),
  message: z.string(),
  startedAt: z.string(),
  subject: jobSubjectSchema,
  /** per model, the loss points so far, oldest first (thinned evenly once a model has very many) */
  curves: z.record(z.string(), z.array(curvePointSchema)),
});
export type ActiveJob = z.infer<typeof activeJobSchema>;

/** the latest stored ranking of a dataset: the ranking, the config it was computed with, and when */
export const storedRankingSchema = z.object({
  datasetId: z.string(),
  specHash: z.string(),
  config: z.unknown(),
  computedAt: z.string(),
  ranking: featureRankingSchema,
});
export type StoredRanking = z.infer<typeof storedRankingSchema>;

/** the latest stored scores of a fleet by one scorer, and when they were computed */
export const storedFleetScoresSchema = z.object({
  datasetId: z.string(),
  scorer: scorerSchema,
  computedAt: z.string(),
  scores: fleetScoresSchema,
});
export type StoredFleetScores = z.infer<typeof storedFleetScoresSchema>;
