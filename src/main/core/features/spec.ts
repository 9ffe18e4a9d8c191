/**
 * The feature spec: a small JSON document (edited in the UI's Monaco editor, stored with every run
 * and in the export manifest) that says which sensors to use and which features to derive.
 */
import { z } from 'zod';

export const FEATURE_STATS = ['mean', 'std', 'min', 'max', 'slope'] as const;
export type FeatureStat = (typeof FEATURE_STATS)[number];
export const featureStatSchema = z.enum(FEATURE_STATS);

export const DEFAULT_WINDOWS: readonly number[] = [5, 10, 20, 30];

const includeSchema = z
  .object({
    raw: z.boolean().default(true).describe('keep the sensor value itself as a feature (named like `s11`)'),
    diff: z.boolean().default(true).describe('first difference x_t − x_(t−1), 0 at a unit’s first cycle (`s11_diff`)'),
    ewma: z.boolean().default(true).describe('exponentially weighted moving average (`s11_ewma`)'),
    age: z
      .boolean()
      .default(true)
      .describe('the unit’s age: its cycle number at the current row (`age`), one feature for all sensors'),
    baseline: z
      .boolean()
      .default(true)
      .describe(
        'the EWMA minus the mean over the unit’s first `baselineCycles` cycles (`s11_vs_start`): how far a sensor has moved from where this unit started',
      ),
    trend: z
      .boolean()
      .default(false)
      .describe(
        'the least-squares slope per cycle over every cycle of the unit so far (`s11_trend`): how fast a sensor has been moving since this unit started',
      ),
  })
  .strict();

const regimeSchema = z
  .object({
    enabled: z
      .union([z.literal('auto'), z.boolean()])
      .default('auto')
      .describe(
        'standardise every sensor per operating regime before deriving features: "auto" = when more than one regime is detected on the training units (as at import), true = always, false = never',
      ),
    clusters: z
      .union([z.literal('auto'), z.number().int().min(1).max(50)])
      .default('auto')
      .describe('number of operating regimes: "auto" = the number detected on the training units, or k of k-means on the settings'),
    seed: z.number().int().default(0).describe('seed of the k-means initialisation (a given number of clusters)'),
    features: z
      .boolean()
      .default(true)
      .describe(
        'with more than one regime in use, also: cycles spent so far in each regime (`regime1_cycles`, …) and the share of the unit’s cycles in each (`regime1_share`, …)',
      ),
  })
  .strict();

export const featureSpecSchema = z
  .object({
    sensors: z
      .union([z.literal('auto'), z.array(z.string().min(1)).min(1)])
      .default('auto')
      .describe('"auto" = every sensor column; or an explicit list of column names (sensors or settings)'),
    nearConstantStd: z
      .number()
      .min(0)
      .default(1e-6)
      .describe(
        'drop a sensor whose population std over the fitting rows is ≤ nearConstantStd · max(1, |mean|) (a relative threshold)',
      ),
    minDistinctValues: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('drop a sensor with fewer distinct values than this over the fitting rows'),
    windows: z
      .array(z.number().int().min(2).max(10_000))
      .min(0)
      .default([...DEFAULT_WINDOWS])
      .describe('rolling window lengths in cycles (rows of a unit); fewer rows are used at a unit’s start'),
    stats: z
      .array(featureStatSchema)
      .default([...FEATURE_STATS])
      .describe('rolling statistics computed for every window'),
    ewmaAlpha: z
      .number()
      .gt(0)
      .max(1)
      .default(0.1)
      .describe('EWMA smoothing factor α in e_t = α·x_t + (1 − α)·e_(t−1)'),
    ewmaSpan: z
      .number()
      .min(1)
      .optional()
      .describe('alternative to ewmaAlpha: α = 2 / (span + 1); wins over ewmaAlpha when given'),
    baselineCycles: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(20)
      .describe('cycles at a unit’s start whose mean is its baseline (the cycles so far while fewer have been seen)'),
    include: includeSchema.default({ raw: true, diff: true, ewma: true, age: true, baseline: true, trend: false }),
    regimeNormalisation: regimeSchema.default({ enabled: 'auto', clusters: 'auto', seed: 0, features: true }),
  })
  .strict();

/** A parsed spec: every default filled in. */
export type FeatureSpec = z.output<typeof featureSpecSchema>;
/** What a user may write: every field optional. */
export type FeatureSpecInput = z.input<typeof featureSpecSchema>;

export const DEFAULT_FEATURE_SPEC: FeatureSpec = featureSpecSchema.parse({});

/**
 * A spec stored before the age, baseline or trend features existed lists the other `include`
 * switches only: those were off when it was fitted, so they read as false there (a user's spec,
 * parsed with `parseFeatureSpec`, gets the defaults).
 */
function withStoredIncludes(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !('include' in input)) return input;
  const include = (input as { include?: unknown }).include;
  if (typeof include !== 'object' || include === null) return input;
  return { ...input, include: { age: false, baseline: false, trend: false, ...include } };
}

/** The schema of a spec stored with a fitted state (a run, a bundle's manifest). */
export const storedFeatureSpecSchema = z.preprocess(withStoredIncludes, featureSpecSchema);

/** Parse a spec stored with a fitted state (see `storedFeatureSpecSchema`). */
export function parseStoredFeatureSpec(input: unknown): FeatureSpec {
  return storedFeatureSpecSchema.parse(input ?? {});
}

/** Parse a user spec (throws a ZodError, which `toErrorValue` maps to INVALID_INPUT). */
export function parseFeatureSpec(input: unknown): FeatureSpec {
  return featureSpecSchema.parse(input ?? {});
}

/** EWMA factor in effect for a parsed spec. */
export function ewmaAlphaOf(spec: Pick<FeatureSpec, 'ewmaAlpha' | 'ewmaSpan'>): number {
  return spec.ewmaSpan !== undefined ? 2 / (spec.ewmaSpan + 1) : spec.ewmaAlpha;
}

/** JSON Schema (draft-07, input shape: every field optional with its default) for the Monaco editor. */
export const featureSpecJsonSchema: Record<string, unknown> = {
  title: 'Prognos feature spec',
  ...z.toJSONSchema(featureSpecSchema, { io: 'input', target: 'draft-7' }),
};
