/** Schemas of the values that cross the contract. Types are inferred from them. */
import { z } from 'zod';
import { calibrationReportSchema } from './calibration';
import { datasetRoleSchema } from './housekeeping';
import { sensorCatalogueSchema } from './sensor-catalogue';

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

/**
 * Operating regimes detected in a dataset's settings (see src/main/core/data/regimes.ts): k, the
 * centroid of each regime in the settings' own units, rows per regime, the criterion per k.
 */
export const datasetRegimesSchema = z.object({
  /** how k was chosen, in words */
  method: z.string(),
  /** number of operating regimes (1 when the settings form no discrete clusters) */
  k: z.number().int().min(1),
  /** the settings that vary after rounding (those the regimes are defined on) */
  settings: z.array(z.string()),
  /** per setting: the scale distances are measured in (its standard deviation) */
  scale: z.array(z.number()),
  /** [regime][setting], the settings' own units; regimes ordered by their centroids */
  centroids: z.array(z.array(z.number())),
  /** rows per regime */
  rows: z.array(z.number().int()),
  /**
   * silhouette of k-means with k clusters on the subsample, k = 1..8 (null where undefined);
   * overSplit: two centroids within two rounding steps in every setting (not eligible)
   */
  scores: z.array(z.object({ k: z.number().int(), silhouette: z.number().nullable(), overSplit: z.boolean().optional() })),
  /** rows in the seeded subsample the criterion was computed on */
  sampleRows: z.number().int(),
  /** why there is a single regime without clustering, when that is the case */
  note: z.string().optional(),
});
export type DatasetRegimes = z.infer<typeof datasetRegimesSchema>;

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
  /** null for a dataset imported before regime detection existed, until it is shown (`datasets:regimes`) */
  regimes: datasetRegimesSchema.nullable(),
  /** what the dataset is for: guessed at import, changeable (migration 010) */
  role: datasetRoleSchema,
});
export type DatasetRecord = z.infer<typeof datasetRecordSchema>;

/** role assignment for CSV columns: header name → role; unmapped columns become sensors */
export const columnMapSchema = z.record(z.string(), z.enum(['unit', 'cycle', 'setting', 'sensor', 'ignore']));
export type ColumnMap = z.infer<typeof columnMapSchema>;

/**
 * Where an imported file comes from. `path` is accepted from the CLI only (the user's own shell);
 * `grant` is a one-time handle for a file chosen in the desktop app's own open dialog; `upload` is a
 * file whose bytes the client sent (browser mode, and files dropped on the desktop app).
 */
export const importSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  z.object({ kind: z.literal('grant'), grant: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('upload'), uploadId: z.string().min(1), fileName: z.string().min(1) }),
]);
export type ImportSource = z.infer<typeof importSourceSchema>;

export const importRequestSchema = z.object({
  source: importSourceSchema,
  rul: importSourceSchema.optional(),
  format: datasetFormatSchema.optional(),
  map: columnMapSchema.optional(),
  /** display names and units of the settings and sensors, each entry naming its column by header */
  catalogue: sensorCatalogueSchema.optional(),
  name: z.string().min(1).max(200).optional(),
  /**
   * When a dataset with the same content (file fingerprint, and a RUL file or none alike) is already
   * in the store: 'ask' refuses with CONFLICT naming it (details.existing) and writes nothing, 'reuse'
   * answers with the existing dataset, 'new' (the default) imports another copy.
   */
  duplicates: z.enum(['ask', 'reuse', 'new']).optional(),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

export const importResultSchema = z.object({
  dataset: datasetRecordSchema,
  /** ids of datasets already in the store with the same fingerprint (a re-import) */
  duplicateOf: z.array(z.string()),
  /** true when `duplicates: 'reuse'` answered with an existing dataset (nothing was imported) */
  reused: z.boolean().optional(),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const jobKindSchema = z.enum(['import', 'synth', 'rank', 'train', 'score', 'export', 'drift', 'report', 'sweep', 'pipeline']);
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

/** A sample of the settings coloured by operating regime (at most 5,000 rows, every n-th). */
export const regimePointsSchema = z.object({
  /** the dataset's regimes (detected now and recorded for a dataset imported before detection) */
  regimes: datasetRegimesSchema.nullable(),
  /** the settings on the x and y axes (the two that separate the regimes best); one: y is the cycle */
  axes: z.array(z.string()),
  x: z.array(z.number()),
  y: z.array(z.number()),
  /** 0-based regime of each point */
  regime: z.array(z.number().int()),
  totalRows: z.number().int(),
});
export type RegimePoints = z.infer<typeof regimePointsSchema>;

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

// ── features, training, runs ────────────────────────────────────────────────────────────────

export const metricsSchema = z.object({
  f2: z.number().nullable(),
  f1: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  rocAuc: z.number().nullable(),
  prAuc: z.number().nullable(),
  brier: z.number().nullable(),
  threshold: z.number(),
  n: z.number().int(),
  positives: z.number().int(),
  confusion: z.object({ tp: z.number().int(), fp: z.number().int(), tn: z.number().int(), fn: z.number().int() }),
});
export type MetricsValue = z.infer<typeof metricsSchema>;

export const featureRankSchema = z.object({
  name: z.string(),
  rank: z.number().int(),
  combined: z.number(),
  mutualInfo: z.number(),
  spearman: z.number(),
  spearmanSigned: z.number(),
  monotonicity: z.number(),
  trendability: z.number(),
  prognosability: z.number(),
  gain: z.number().optional(),
});

export const featureRankingSchema = z.object({
  datasetId: z.string(),
  engineeredCount: z.number().int(),
  features: z.array(featureRankSchema),
  defs: z.array(z.object({ name: z.string(), sensor: z.string(), kind: z.string(), window: z.number().optional(), formula: z.string() })),
  droppedSensors: z.array(z.object({ name: z.string(), reason: z.string() })),
  selected: z.array(z.string()),
  trainUnits: z.number().int(),
  seconds: z.number(),
});
export type FeatureRanking = z.infer<typeof featureRankingSchema>;

export const featureTrendSchema = z.object({
  feature: z.string(),
  formula: z.string(),
  units: z.array(z.object({ unit: z.number().int(), cycle: z.array(z.number()), rul: z.array(z.number()), values: z.array(z.number()) })),
});

const curvePointSchema = z.object({ x: z.number(), y: z.number() });
export const runCurvesSchema = z.object({ roc: z.array(curvePointSchema), pr: z.array(curvePointSchema) });

export const runStatusSchema = z.enum(['running', 'done', 'failed', 'cancelled']);

export const runSummarySchema = z.object({
  runId: z.string(),
  /** the analyst's name for the run (null: shown by its id) */
  name: z.string().nullable(),
  datasetId: z.string(),
  datasetName: z.string().nullable(),
  status: runStatusSchema,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  seed: z.number().int(),
  /** the training job while the run is running (null otherwise) */
  jobId: z.string().nullable(),
  models: z.array(z.string()),
  threshold: z.number().nullable(),
  validationF2: z.number().nullable(),
  testF2: z.number().nullable(),
  error: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const rulMetricsSchema = z.object({ rmse: z.number(), mae: z.number(), phm08: z.number(), coverage: z.number().nullable(), n: z.number().int() });
export const rulPointSchema = z.object({ unit: z.number().int(), cycle: z.number().int(), truth: z.number(), rul: z.number(), low: z.number(), high: z.number() });
/** a run's remaining-useful-life stage: per-model scores at one cut cycle per unit, and the headline model's points */
export const runRulSchema = z.object({
  cap: z.number(),
  coverage: z.number(),
  weight: z.number(),
  metrics: z.record(z.string(), z.object({ validation: rulMetricsSchema, test: rulMetricsSchema.nullable() })),
  points: z.object({ validation: z.array(rulPointSchema), test: z.array(rulPointSchema) }),
  interval: z.object({ method: z.literal('conformal'), coverage: z.number(), bins: z.array(z.object({ upTo: z.number().nullable(), low: z.number(), high: z.number() })) }),
  /** how many features the RUL GBDT learns from (absent for runs made before it had its own) */
  gbdtFeatures: z.number().int().optional(),
  /** of them, the trends since the unit's start (`<sensor>_trend`) */
  gbdtTrends: z.number().int().optional(),
});
export type RunRulValue = z.infer<typeof runRulSchema>;

export const runDetailSchema = runSummarySchema.extend({
  config: z.unknown(),
  backend: z.string().nullable(),
  metrics: z.record(z.string(), z.object({ validation: metricsSchema, test: metricsSchema.nullable() })),
  curves: z.record(z.string(), z.object({ validation: runCurvesSchema, test: runCurvesSchema.nullable() })),
  /** validation-unit probabilities per model (gbdt, lstm, ensemble) and `label`, for live weight and threshold sliders */
  validationScores: z.record(z.string(), z.array(z.number())),
  /** the GBDT's weight in the ensemble (1 without an LSTM) and the alert threshold in force */
  weight: z.number(),
  /** each model's own F2-tuned threshold on validation */
  thresholds: z.record(z.string(), z.number()),
  /** F2 on validation at each weight of the grid search, with its best threshold (and the blend's log-loss, in runs since it was recorded) */
  ensembleGrid: z.array(z.object({ weight: z.number(), threshold: z.number(), fBeta: z.number(), logLoss: z.number().optional() })),
  /** calibration of the headline probability (null for runs trained before calibration, and unfinished runs) */
  calibration: calibrationReportSchema.nullable(),
  importance: z.array(z.object({ name: z.string(), gain: z.number() })),
  selected: z.array(z.string()),
  timings: z.record(z.string(), z.number()),
  rows: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  units: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  /** per iteration: training and validation loss of each model */
  lossCurves: z.record(z.string(), z.array(z.object({ iteration: z.number().int(), train: z.number().nullable(), validation: z.number().nullable() }))),
  /** remaining useful life, when the run trained RUL models */
  rul: runRulSchema.optional(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const trainStartedSchema = z.object({ jobId: z.string(), runId: z.string() });

// ── bundles and fleet scoring ─────────────────────────────────────────────────────────────────

/** What a bundle's signature proves: only a key of the store's keyring makes it 'trusted'. */
export const bundleTrustSchema = z.object({
  verdict: z.enum(['trusted', 'unknown-key', 'unsigned', 'bad-signature']),
  /** fingerprint (SHA-256 of the SPKI DER, hex) of the key that verified the signature */
  keyId: z.string().nullable(),
  /** the keyring's name for it (trusted keys only) */
  keyName: z.string().nullable(),
  /** fingerprint of the key the bundle's manifest names: a claim, never trust */
  claimedKeyId: z.string().nullable(),
  summary: z.string(),
});
export type BundleTrustValue = z.infer<typeof bundleTrustSchema>;

export const trustedKeySchema = z.object({ keyId: z.string(), name: z.string(), publicKeyPem: z.string(), addedAt: z.string() });
export type TrustedKeyValue = z.infer<typeof trustedKeySchema>;

export const trustPolicySettingSchema = z.enum(['default', 'require-signed', 'allow-unsigned']);
export const trustPolicySchema = z.object({
  /** 'default': require a trusted signature once the keyring holds a key */
  setting: trustPolicySettingSchema,
  /** in force now */
  requireSigned: z.boolean(),
  keys: z.number().int(),
});
export type TrustPolicyValue = z.infer<typeof trustPolicySchema>;

export const bundleEntrySchema = z.object({
  bundleId: z.string(),
  /** the analyst's name for the bundle, kept in the store (null: shown by its id) */
  name: z.string().nullable(),
  path: z.string(),
  origin: z.enum(['exported', 'imported', 'shipped']),
  runId: z.string(),
  created: z.string(),
  datasetName: z.string().nullable(),
  models: z.array(z.string()),
  threshold: z.number(),
  weight: z.number(),
  signed: z.boolean(),
  files: z.array(z.string()),
  /** what the signature proves against the store's keyring */
  trust: bundleTrustSchema,
  /** why the trust policy refuses to import or score this bundle; null when it is accepted */
  refused: z.string().nullable(),
});
export type BundleEntry = z.infer<typeof bundleEntrySchema>;

export const bundleVerdictSchema = z.object({
  ok: z.boolean(),
  problems: z.array(z.object({ file: z.string(), reason: z.string() })),
  trust: bundleTrustSchema.nullable(),
});

export const scorerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bundle'), bundleId: z.string().min(1) }),
  z.object({ kind: z.literal('run'), runId: z.string().min(1) }),
]);
export type Scorer = z.infer<typeof scorerSchema>;

export const unitScoreSchema = z.object({
  unit: z.number().int(),
  cycle: z.number().int(),
  probability: z.number(),
  parts: z.object({ gbdt: z.number(), lstm: z.number().optional() }),
  alert: z.boolean(),
  /** true RUL at the last cycle, when the data came with a RUL file */
  trueRul: z.number().optional(),
  /** predicted RUL at the last cycle and its interval, when the model has RUL models */
  rul: z.number().optional(),
  rulLow: z.number().optional(),
  rulHigh: z.number().optional(),
});

export const fleetScoresSchema = z.object({
  threshold: z.number(),
  labelWindow: z.number().int(),
  engine: z.string(),
  units: z.array(unitScoreSchema),
  /** nominal coverage of the rulLow–rulHigh intervals, when the model has RUL */
  rulCoverage: z.number().optional(),
});
export type FleetScoresValue = z.infer<typeof fleetScoresSchema>;

export const fleetSeriesSchema = z.object({
  threshold: z.number(),
  units: z.array(
    z.object({
      unit: z.number().int(),
      cycle: z.array(z.number()),
      probability: z.array(z.number()),
      gbdt: z.array(z.number()),
      lstm: z.array(z.number()).nullable(),
    }),
  ),
});
