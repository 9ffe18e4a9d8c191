/**
 * Saved pipelines: a recipe (JSON) of steps run in order — import → train → evaluate → export →
 * drift → report → register — with retries per step and caching of steps whose inputs did not change; the
 * records of each pipeline run and of its steps. Shared by main, the CLI and the renderer.
 */
import { z } from 'zod';
import { driftMethodChoiceSchema } from './drift';
import { modelNameSchema } from './registry';
import { datasetFormatSchema } from './schemas';

export const PIPELINE_STEPS = ['import', 'train', 'evaluate', 'export', 'drift', 'report', 'register'] as const;
export type PipelineStepName = (typeof PIPELINE_STEPS)[number];
export const pipelineStepNameSchema = z.enum(PIPELINE_STEPS);


const retryFields = {
  retries: z.number().int().min(0).max(10).default(0).describe('how many times a failed step is tried again'),
  retryDelaySeconds: z
    .number()
    .min(0)
    .max(3600)
    .default(5)
    .describe('wait before the first retry, in seconds; doubled before each further retry (backoff)'),
};

const pathText = z.string().trim().min(1).max(4096);

export const importStepSchema = z
  .object({
    path: pathText.describe('a file, a folder, or a file pattern (* and ? in the file name), relative to the recipe’s folder'),
    pick: z
      .enum(['single', 'newest', 'last-by-name'])
      .default('single')
      .describe('which file of a folder or pattern: single (exactly one must match), newest (modification time) or last-by-name'),
    rul: pathText.optional().describe('a RUL file for a test fleet'),
    format: datasetFormatSchema.optional(),
    name: z.string().trim().min(1).max(200).optional().describe('the dataset’s name (default: the file’s name)'),
    ...retryFields,
  })
  .strict();

export const trainStepSchema = z
  .object({
    config: z.record(z.string(), z.unknown()).default({}).describe('the training config (same keys and schema as `prognos train --config`)'),
    force: z.boolean().default(false).describe('train on a dataset whose role is not a training fleet'),
    ...retryFields,
  })
  .strict();

export const evaluateStepSchema = z
  .object({ data: pathText.describe('a test fleet (C-MAPSS text)'), rul: pathText.describe('its RUL file'), ...retryFields })
  .strict();

export const exportStepSchema = z.object({ zip: z.boolean().default(false), ...retryFields }).strict();

export const driftStepSchema = z
  .object({
    data: pathText.describe('the current fleet compared with the model’s reference'),
    rul: pathText.optional(),
    method: driftMethodChoiceSchema.optional(),
    ...retryFields,
  })
  .strict();

export const reportStepSchema = z
  .object({
    data: pathText.describe('the fleet the PDF report ranks'),
    rul: pathText.optional(),
    title: z.string().max(200).optional(),
    templateId: z.string().min(1).max(100).optional(),
    createdAt: z.string().max(40).optional().describe('the report’s creation time (ISO 8601); fixed, a re-run with unchanged inputs can reuse the report'),
    ...retryFields,
  })
  .strict();

export const registerStepSchema = z
  .object({
    model: modelNameSchema.describe('the registered model the bundle (or, without an export step, the run) becomes a new version of'),
    stage: z.literal('Staging').default('Staging').describe('promoted to Staging when the promotion checks pass; otherwise it stays at None, with the failed checks named'),
    ...retryFields,
  })
  .strict();

export const pipelineRecipeSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    steps: z
      .object({
        import: importStepSchema,
        train: trainStepSchema.optional(),
        evaluate: evaluateStepSchema.optional(),
        export: exportStepSchema.optional(),
        drift: driftStepSchema.optional(),
        report: reportStepSchema.optional(),
        register: registerStepSchema.optional(),
      })
      .strict()
      .superRefine((s, ctx) => {
        for (const step of ['evaluate', 'export', 'drift', 'report', 'register'] as const) {
          if (s[step] !== undefined && s.train === undefined) ctx.addIssue({ code: 'custom', path: [step], message: `the ${step} step needs a train step before it` });
        }
      }),
  })
  .strict();
export type PipelineRecipe = z.output<typeof pipelineRecipeSchema>;

export const pipelineStepStatusSchema = z.enum(['pending', 'running', 'done', 'cached', 'failed', 'skipped', 'cancelled']);
export type PipelineStepStatus = z.infer<typeof pipelineStepStatusSchema>;
export const pipelineRunStatusSchema = z.enum(['running', 'done', 'failed', 'cancelled']);
export type PipelineRunStatus = z.infer<typeof pipelineRunStatusSchema>;

export const pipelineStepRecordSchema = z.object({
  step: pipelineStepNameSchema,
  status: pipelineStepStatusSchema,
  attempts: z.number().int(),
  /** SHA-256 of the step's inputs (file bytes, config, upstream outputs, code version); null until known */
  cacheKey: z.string().nullable(),
  /** what the step made: ids of the dataset, run, bundle or report, and a few figures */
  output: z.record(z.string(), z.unknown()).nullable(),
  /** one line saying what the step did */
  summary: z.string().nullable(),
  log: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type PipelineStepRecord = z.infer<typeof pipelineStepRecordSchema>;

export const pipelineRunRecordSchema = z.object({
  pipelineRunId: z.string(),
  name: z.string(),
  /** where the recipe came from: a file name (CLI) or a saved pipeline's id (the app) */
  source: z.string(),
  pipelineId: z.string().nullable(),
  status: pipelineRunStatusSchema,
  recipeSha256: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  steps: z.array(pipelineStepRecordSchema),
});
export type PipelineRunRecord = z.infer<typeof pipelineRunRecordSchema>;

export const savedPipelineSchema = z.object({
  pipelineId: z.string(),
  name: z.string(),
  text: z.string(),
  updatedAt: z.string(),
});
export type SavedPipeline = z.infer<typeof savedPipelineSchema>;

export const pipelineJobResultSchema = z.object({ pipelineRunId: z.string(), status: pipelineRunStatusSchema });
export const pipelineStartedSchema = z.object({ jobId: z.string(), pipelineRunId: z.string() });

/** A small example recipe (the Pipelines view's starting text). */
export const EXAMPLE_RECIPE = `{
  "name": "nightly-fleet",
  "steps": {
    "import": { "path": "incoming/train_*.txt", "pick": "newest", "retries": 2, "retryDelaySeconds": 30 },
    "train": { "config": { "models": ["gbdt"], "seed": 1 } },
    "evaluate": { "data": "test.txt", "rul": "rul.txt" },
    "export": { "zip": false },
    "drift": { "data": "test.txt", "rul": "rul.txt" },
    "report": { "data": "test.txt", "rul": "rul.txt", "title": "Nightly fleet report" },
    "register": { "model": "fleet-risk" }
  }
}
`;
