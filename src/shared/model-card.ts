/**
 * The model card of a bundle as the Export view shows it: read from the bundle's manifest (the
 * same facts model_card.md states in prose), so what is shown is what the bundle carries.
 */
import { z } from 'zod';

export const modelCardMetricsSchema = z.object({
  model: z.string(),
  split: z.string(),
  f2: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  rocAuc: z.number().nullable(),
  n: z.number().nullable(),
});

export const modelCardSchema = z.object({
  bundleId: z.string(),
  runId: z.string(),
  created: z.string(),
  appVersion: z.string(),
  datasetName: z.string().nullable(),
  /** what a positive means: "fails within W cycles" */
  label: z.object({ window: z.number().int(), definition: z.string() }),
  /** the alert rule in words */
  alert: z.string(),
  threshold: z.number(),
  ensemble: z.object({ weight: z.number(), formula: z.string() }),
  calibration: z.string(),
  models: z.array(z.object({ key: z.string(), file: z.string(), format: z.string(), description: z.string() })),
  /** the raw columns a caller sends, with their display names and units where the dataset had them */
  inputs: z.array(
    z.object({
      column: z.string(),
      original: z.string(),
      role: z.string(),
      unit: z.string(),
      description: z.string(),
      used: z.boolean(),
    }),
  ),
  windowLength: z.number().int(),
  requiresFullHistory: z.boolean(),
  features: z.array(z.object({ name: z.string(), formula: z.string() })),
  metrics: z.array(modelCardMetricsSchema),
  rul: z.object({ cap: z.number(), coverage: z.number() }).nullable(),
  training: z.object({ backend: z.string(), seed: z.number().int() }),
});
export type ModelCard = z.infer<typeof modelCardSchema>;
