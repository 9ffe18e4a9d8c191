/**
 * Experiments (named groups of runs, with notes and tags) and the comparison of runs: the shapes the
 * CLI (`prognos experiments …`, `prognos runs compare`) and the Compare view share.
 */
import { z } from 'zod';
import { displayNameSchema } from './housekeeping';

/** The experiment a run goes to when none is named. */
export const DEFAULT_EXPERIMENT = 'Default';

export const MAX_TAGS = 50;
export const MAX_NOTES = 20_000;

export const tagSchema = z
  .string()
  .trim()
  .min(1, 'a tag must not be empty')
  .max(50, 'a tag holds at most 50 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f,]/.test(s), 'a tag must not hold commas or control characters');

export const notesSchema = z.string().max(MAX_NOTES, `notes hold at most ${MAX_NOTES} characters`);

export const experimentSchema = z.object({
  experimentId: z.string(),
  name: z.string(),
  notes: z.string(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  /** how many runs it holds */
  runs: z.number().int(),
});
export type Experiment = z.infer<typeof experimentSchema>;

export const experimentNameSchema = displayNameSchema;

/** Whether a larger value of a metric is better; null where neither is (e.g. a count). */
export const metricDirectionSchema = z.enum(['higher', 'lower']).nullable();
export type MetricDirection = z.infer<typeof metricDirectionSchema>;

/** One value path of the runs' configs whose values differ; `absent` lists the runs (by index) without it. */
export const configDiffEntrySchema = z.object({
  path: z.string(),
  /** one per run, in the order of `runs`; null where the run has no value at this path (see `absent`) */
  values: z.array(z.unknown()),
  absent: z.array(z.number().int()),
});
export type ConfigDiffEntry = z.infer<typeof configDiffEntrySchema>;

/** One metric across the compared runs: values in run order (null: not recorded), best runs by index. */
export const metricRowSchema = z.object({
  key: z.string(),
  model: z.string(),
  split: z.string(),
  metric: z.string(),
  direction: metricDirectionSchema,
  values: z.array(z.number().nullable()),
  best: z.array(z.number().int()),
});
export type MetricRow = z.infer<typeof metricRowSchema>;

export const comparedRunSchema = z.object({
  runId: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  experimentId: z.string().nullable(),
  experimentName: z.string().nullable(),
  datasetId: z.string(),
  datasetName: z.string().nullable(),
  datasetPresent: z.boolean(),
  createdAt: z.string(),
  models: z.array(z.string()),
  tags: z.array(z.string()),
  /** per model (gbdt, lstm, ensemble), per split: the run's METRICS */
  metrics: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** remaining-useful-life scores per model and split, when the run trained RUL models */
  rul: z.record(z.string(), z.record(z.string(), z.unknown())).nullable(),
  selected: z.array(z.string()),
});
export type ComparedRun = z.infer<typeof comparedRunSchema>;

export const comparisonSchema = z.object({
  runs: z.array(comparedRunSchema),
  configDiff: z.array(configDiffEntrySchema),
  metricTable: z.array(metricRowSchema),
  /** selected features: those every run selected, and per run the ones it alone (among the others) lacks or has */
  features: z.object({
    common: z.array(z.string()),
    onlyIn: z.array(z.array(z.string())),
  }),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 8;
