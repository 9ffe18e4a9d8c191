/** Schemas of the values that cross the contract. Types are inferred from them. */
import { z } from 'zod';

export const columnRoleSchema = z.enum(['unit', 'cycle', 'setting', 'sensor']);

export const columnStatsSchema = z.object({
  name: z.string(),
  original: z.string(),
  role: columnRoleSchema,
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  std: z.number(),
  /** max − min ≤ 1e-9·max(1, |mean|): the column carries no information. */
  constant: z.boolean(),
});
export type ColumnStats = z.infer<typeof columnStatsSchema>;

export const datasetSummarySchema = z.object({
  rows: z.number().int(),
  units: z.number().int(),
  minCycles: z.number().int(),
  medianCycles: z.number(),
  maxCycles: z.number().int(),
  columns: z.array(columnStatsSchema),
  constantColumns: z.array(z.string()),
  /** true when a RUL file came with the data (a test set) */
  hasRul: z.boolean(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

export const datasetFormatSchema = z.enum(['cmapss', 'csv']);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

export const datasetRecordSchema = z.object({
  datasetId: z.string(),
  name: z.string(),
  format: datasetFormatSchema,
  sourceFile: z.string(),
  rulFile: z.string().nullable(),
  fingerprint: z.string(),
  createdAt: z.string(),
  rows: z.number().int(),
  units: z.number().int(),
  minCycles: z.number().int(),
  maxCycles: z.number().int(),
  summary: datasetSummarySchema,
});
export type DatasetRecord = z.infer<typeof datasetRecordSchema>;

/** role assignment for CSV columns: header name → role; unmapped columns become sensors */
export const columnMapSchema = z.record(z.string(), z.enum(['unit', 'cycle', 'setting', 'sensor', 'ignore']));
export type ColumnMap = z.infer<typeof columnMapSchema>;

export const importSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  z.object({ kind: z.literal('upload'), uploadId: z.string().min(1), fileName: z.string().min(1) }),
]);
export type ImportSource = z.infer<typeof importSourceSchema>;

export const importRequestSchema = z.object({
  source: importSourceSchema,
  rul: importSourceSchema.optional(),
  format: datasetFormatSchema.optional(),
  map: columnMapSchema.optional(),
  name: z.string().min(1).max(200).optional(),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

export const importResultSchema = z.object({
  dataset: datasetRecordSchema,
  /** ids of datasets already in the store with the same fingerprint (a re-import) */
  duplicateOf: z.array(z.string()),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const jobKindSchema = z.enum(['import', 'synth', 'train']);
export const jobStartedSchema = z.object({ jobId: z.string() });

export const jobProgressSchema = z.object({
  jobId: z.string(),
  kind: jobKindSchema,
  /** 0..1 */
  fraction: z.number(),
  message: z.string(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobStateSchema = z.enum(['running', 'done', 'failed', 'cancelled']);

export const previewRequestSchema = z.object({
  datasetId: z.string(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(5000),
});
export const previewSchema = z.object({
  columns: z.array(z.string()),
  totalRows: z.number().int(),
  offset: z.number().int(),
  rows: z.array(z.array(z.number())),
});
export type Preview = z.infer<typeof previewSchema>;

export const seriesRequestSchema = z.object({
  datasetId: z.string(),
  units: z.array(z.number().int()).min(1).max(50),
  columns: z.array(z.string()).min(1).max(12),
});
export const seriesSchema = z.object({
  units: z.array(
    z.object({
      unit: z.number().int(),
      cycle: z.array(z.number()),
      /** remaining useful life at each row; null where unknown (a test file without its RUL file) */
      rul: z.array(z.number()).nullable(),
      values: z.record(z.string(), z.array(z.number())),
    }),
  ),
});
export type Series = z.infer<typeof seriesSchema>;

export const unitListSchema = z.array(z.object({ unit: z.number().int(), cycles: z.number().int() }));

export const synthRequestSchema = z.object({
  units: z.number().int().min(1).max(10000),
  seed: z.number().int(),
  name: z.string().min(1).max(200).optional(),
});

export const appInfoSchema = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  storeDir: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof appInfoSchema>;
