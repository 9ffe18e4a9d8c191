/** Dataset roles, names, and what a delete takes with it: the schemas that cross the contract. */
import { z } from 'zod';

/**
 * What a dataset is for: `training` — a run-to-failure fleet (each unit's last row is its failure);
 * `test` — a fleet cut before failure, with the RUL file giving each unit's remaining life;
 * `unlabeled` — a fleet in service, lives unknown.
 */
export const datasetRoleSchema = z.enum(['training', 'test', 'unlabeled']);
export type DatasetRole = z.infer<typeof datasetRoleSchema>;

export const DATASET_ROLE_LABELS: Record<DatasetRole, string> = {
  training: 'training fleet',
  test: 'test fleet with RUL',
  unlabeled: 'unlabeled fleet',
};

/** A name given by the analyst: trimmed, 1 to 200 characters, no control characters. */
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'a name must not be empty')
  .max(200, 'a name holds at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a name must not hold control characters');

export const deleteTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dataset'), datasetId: z.string().min(1) }),
  z.object({ kind: z.literal('run'), runId: z.string().min(1) }),
  z.object({ kind: z.literal('bundle'), bundleId: z.string().min(1) }),
]);
export type DeleteTarget = z.infer<typeof deleteTargetSchema>;

/** Everything a delete removes with its target, and what it keeps (stated before the analyst confirms). */
export const deleteImpactSchema = z.object({
  /** the target in words, e.g. `dataset "FD001 train"` */
  target: z.string(),
  /** runs trained on the dataset (a dataset's delete) or the run itself */
  runs: z.array(z.object({ runId: z.string(), name: z.string().nullable(), status: z.string() })),
  /** bundles exported from those runs into the library (deleted with them) */
  bundles: z.array(z.object({ bundleId: z.string(), name: z.string().nullable() })),
  /** drift reports of those runs (deleted with them) */
  driftReports: z.number().int(),
  /** PDF maintenance reports made from the dataset or the runs: kept (documents handed out) */
  reportsKept: z.number().int(),
  /** one line per kind of thing that goes, with its count, for the confirm dialog and the CLI */
  lines: z.array(z.string()),
});
export type DeleteImpact = z.infer<typeof deleteImpactSchema>;
