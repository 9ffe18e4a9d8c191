/**
 * The model registry's records as they cross the contract (UI, browser mode, CLI --json): registered
 * models, their versions with fingerprints and stage, promotion checks, the transitions history and
 * a version's lineage.
 */
import { z } from 'zod';

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

/** A model name: one line, 1–100 characters, starting with a letter or digit. */
export const modelNameSchema = z
  .string()
  .trim()
  .min(1, 'a model name needs at least one character')
  .max(100, 'a model name has at most 100 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'a model name starts with a letter or digit and holds letters, digits, spaces, dots, dashes and underscores only');

/** The validation figures the metrics check compares (null: not recorded). */
export const versionMetricsSchema = z.object({
  /** the headline model's validation F2 (the ensemble, else the GBDT) */
  f2: z.number().nullable(),
  /** the headline RUL model's validation RMSE (the ensemble, else the GBDT); null without RUL models */
  rulRmse: z.number().nullable(),
});
export type VersionMetrics = z.infer<typeof versionMetricsSchema>;

export const checkNameSchema = z.enum(['metrics', 'drift', 'signature']);
export const checkStatusSchema = z.enum(['passed', 'failed', 'skipped']);
export const promotionCheckSchema = z.object({
  name: checkNameSchema,
  status: checkStatusSchema,
  /** one sentence: what was compared and what came out */
  detail: z.string(),
});
export type PromotionCheck = z.infer<typeof promotionCheckSchema>;

export const modelVersionSchema = z.object({
  model: z.string(),
  version: z.number().int().min(1),
  stage: stageSchema,
  source: z.enum(['run', 'bundle']),
  runId: z.string(),
  bundleId: z.string().nullable(),
  fingerprints: z.object({
    configSha256: z.string().nullable(),
    datasetFingerprint: z.string(),
    manifestSha256: z.string().nullable(),
    signingKeyId: z.string().nullable(),
  }),
  metrics: versionMetricsSchema,
  createdAt: z.string(),
  createdBy: z.string(),
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;

export const registeredModelSchema = z.object({
  model: z.string(),
  createdAt: z.string(),
  versions: z.array(modelVersionSchema),
});
export type RegisteredModel = z.infer<typeof registeredModelSchema>;

export const transitionSchema = z.object({
  transitionId: z.number().int(),
  model: z.string(),
  version: z.number().int(),
  from: stageSchema.nullable(),
  to: stageSchema,
  actor: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
  checks: z.array(promotionCheckSchema),
  forced: z.boolean(),
  /** set on a version archived because another was promoted to Production: that version */
  causedBy: z.number().int().nullable(),
});
export type Transition = z.infer<typeof transitionSchema>;

export const promotionResultSchema = z.object({
  model: z.string(),
  version: z.number().int(),
  stage: stageSchema,
  /** false: refused by failed checks (nothing changed) */
  promoted: z.boolean(),
  forced: z.boolean(),
  checks: z.array(promotionCheckSchema),
  /** the version moved from Production to Archived by this promotion */
  archived: z.number().int().nullable(),
  transitions: z.array(transitionSchema),
});
export type PromotionResult = z.infer<typeof promotionResultSchema>;

/** A version's lineage, end to end: dataset → run → bundle → version → reports made with it. */
export const lineageSchema = z.object({
  version: modelVersionSchema,
  dataset: z.object({ fingerprint: z.string(), datasetId: z.string().nullable(), name: z.string().nullable(), file: z.string().nullable() }),
  run: z.object({ runId: z.string(), inStore: z.boolean(), name: z.string().nullable(), status: z.string().nullable(), createdAt: z.string().nullable(), configSha256: z.string().nullable() }),
  bundle: z
    .object({ bundleId: z.string(), manifestSha256: z.string(), signingKeyId: z.string().nullable(), inLibrary: z.boolean(), name: z.string().nullable() })
    .nullable(),
  /** PDF maintenance reports made with this version's run or bundle, newest first */
  reports: z.array(z.object({ reportId: z.string(), title: z.string(), fleet: z.string(), createdAt: z.string(), source: z.enum(['run', 'bundle']), sha256: z.string() })),
  /** drift reports against this version's run or bundle, newest first */
  driftReports: z.array(z.object({ reportId: z.string(), createdAt: z.string(), fleet: z.string(), datasetDrift: z.boolean() })),
});
export type Lineage = z.infer<typeof lineageSchema>;
