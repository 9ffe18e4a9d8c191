/**
 * Drift reports and label-free performance monitoring: the shapes every layer shares (core engine,
 * store, CLI `drift --json`, IPC, the Drift view, alerts, bundles). Definitions in docs/drift.md.
 *
 * Every report keeps all five univariate scores of every feature, so a different method or threshold
 * is a re-reading of the stored report (`applyDriftRule`), not a recomputation.
 */
import { z } from 'zod';

export const DRIFT_METHODS = ['psi', 'ks', 'wasserstein', 'jsd', 'hellinger'] as const;
export const driftMethodSchema = z.enum(DRIFT_METHODS);
export type DriftMethod = z.infer<typeof driftMethodSchema>;
/** 'auto': Evidently's default per feature: KS (p < 0.05) when either sample has ≤ 1,000 values, else normalised Wasserstein ≥ 0.1 */
export const driftMethodChoiceSchema = z.enum(['auto', ...DRIFT_METHODS]);
export type DriftMethodChoice = z.infer<typeof driftMethodChoiceSchema>;

/**
 * Default thresholds. For 'ks' the threshold is on the p-value (drift when p < threshold); for every
 * other method on the effect size (drift when score ≥ threshold).
 */
export const DEFAULT_DRIFT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = { psi: 0.1, ks: 0.05, wasserstein: 0.1, jsd: 0.1, hellinger: 0.1 };
/** Dataset drift when at least this share of the selected features drift. */
export const DEFAULT_DATASET_DRIFT_SHARE = 0.5;
/** 'auto' uses KS when either sample has at most this many values. */
export const AUTO_KS_MAX_N = 1000;

export const driftThresholdsSchema = z.object({
  psi: z.number().positive(),
  ks: z.number().gt(0).lt(1),
  wasserstein: z.number().positive(),
  jsd: z.number().gt(0).max(1),
  hellinger: z.number().gt(0).max(1),
});
export type DriftThresholds = z.infer<typeof driftThresholdsSchema>;

/** Every univariate score of one column: effect sizes, and the KS p-value beside its statistic. */
export const driftScoresSchema = z.object({
  /** PSI on 10 reference-quantile bins, empty-bin epsilon 1e-4 */
  psi: z.number(),
  /** the two-sample KS statistic D (an effect size in [0, 1]) */
  ks: z.number(),
  ksPValue: z.number(),
  /** Wasserstein-1 distance divided by the reference standard deviation */
  wasserstein: z.number(),
  /** Jensen–Shannon distance (base 2, in [0, 1]) on the reference-quantile bins */
  jsd: z.number(),
  /** Hellinger distance in [0, 1] on the same bins */
  hellinger: z.number(),
});
export type DriftScores = z.infer<typeof driftScoresSchema>;

/** Reference and current on shared bins, for the distribution overlay. Shares sum to 1. */
export const driftHistogramSchema = z.object({
  edges: z.array(z.number()),
  reference: z.array(z.number()),
  current: z.array(z.number()),
});
export type DriftHistogram = z.infer<typeof driftHistogramSchema>;

export const columnDriftSchema = z.object({
  /** the feature's name as the run lists it (or the raw sensor's column name) */
  name: z.string(),
  /** 'feature': one of the run's selected engineered features; 'sensor': a raw sensor or setting column */
  kind: z.enum(['feature', 'sensor']),
  /** the method that decided `drifted` (resolved from 'auto' per column) */
  method: driftMethodSchema,
  /** that method's effect size (for 'ks' the statistic D; the decision is on `pValue`) */
  score: z.number(),
  threshold: z.number(),
  pValue: z.number().optional(),
  drifted: z.boolean(),
  scores: driftScoresSchema,
  referenceN: z.number().int(),
  currentN: z.number().int(),
  reference: z.object({ mean: z.number(), std: z.number() }),
  current: z.object({ mean: z.number(), std: z.number() }),
  histogram: driftHistogramSchema,
});
export type ColumnDrift = z.infer<typeof columnDriftSchema>;

/** One monitored statistic over the chunks, with its alert band from the reference chunks (mean ± 3 sd). */
export const chunkSeriesSchema = z.object({
  /** 'pca', 'domain', 'prediction', 'rul', 'feature:<name>', 'estimated:f2', 'estimated:precision', … */
  key: z.string(),
  label: z.string(),
  group: z.enum(['feature', 'multivariate', 'prediction', 'performance']),
  values: z.array(z.number().nullable()),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  alerts: z.array(z.boolean()),
  /** for estimated performance: the confidence band per chunk */
  bandLow: z.array(z.number().nullable()).optional(),
  bandHigh: z.array(z.number().nullable()).optional(),
  /** realised values per chunk when labels were given */
  realised: z.array(z.number().nullable()).optional(),
});
export type ChunkSeries = z.infer<typeof chunkSeriesSchema>;

export const chunkingSchema = z.object({
  /** 'rows': N rows in (unit, cycle) order; 'cycles': cycle ranges of N cycles; 'batches': one chunk per import batch (dataset) */
  by: z.enum(['rows', 'cycles', 'batches']),
  size: z.number().int().positive(),
});
export type Chunking = z.infer<typeof chunkingSchema>;

export const performanceSchema = z.object({
  f2: z.number().nullable(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  rocAuc: z.number().nullable(),
});
export type PerformanceFigures = z.infer<typeof performanceSchema>;

/** Confidence-based performance estimation (no labels): expected values and a confidence band. */
export const estimatedPerformanceSchema = performanceSchema.extend({
  /** lower and upper bounds of the band (sampling labels from the calibrated probabilities) */
  low: performanceSchema,
  high: performanceSchema,
  /** the confidence level of the band, e.g. 0.95 */
  level: z.number(),
  rows: z.number().int(),
  threshold: z.number(),
});
export type EstimatedPerformance = z.infer<typeof estimatedPerformanceSchema>;

export const driftSourceSchema = z.object({
  kind: z.enum(['run', 'bundle']),
  id: z.string(),
  label: z.string(),
});
export const driftCurrentSchema = z.object({
  kind: z.enum(['dataset', 'file']),
  /** the dataset id, or the file's name (never a full path) */
  id: z.string(),
  label: z.string(),
  rows: z.number().int(),
  units: z.number().int(),
  /** whether labels were given (a RUL file, or a run-to-failure dataset) */
  labelled: z.boolean(),
});

export const driftReportSchema = z.object({
  reportId: z.string(),
  createdAt: z.string(),
  source: driftSourceSchema,
  reference: z.object({ rows: z.number().int(), units: z.number().int(), label: z.string() }),
  current: driftCurrentSchema,
  /** 'matched': reference rows re-weighted to the current rows' life stage (default for run-to-failure data) */
  comparison: z.enum(['matched', 'unmatched']),
  method: driftMethodChoiceSchema,
  thresholds: driftThresholdsSchema,
  datasetDriftShare: z.number(),
  datasetDrift: z.boolean(),
  /** share of the selected features that drift */
  driftedShare: z.number(),
  /** the run's selected features, in the run's order */
  features: z.array(columnDriftSchema),
  /** raw sensors (not counted in the dataset-drift share); reports stored before settings were kept apart hold the settings here too */
  sensors: z.array(columnDriftSchema),
  /** the current data's operating settings (its column roles): a change of operating conditions, not sensor drift; never ranked with the sensors */
  settings: z.array(columnDriftSchema).optional(),
  multivariate: z.object({
    /** mean PCA reconstruction error of the current rows (standardised features) */
    pca: z.number(),
    pcaReference: z.number(),
    pcaUpper: z.number(),
    pcaDrifted: z.boolean(),
    components: z.number().int(),
    /** ROC-AUC of a GBDT telling reference rows from current ones (cross-validated); 0.5 = indistinguishable */
    domainAuc: z.number(),
    domainThreshold: z.number(),
    domainDrifted: z.boolean(),
  }),
  prediction: z.object({
    method: driftMethodSchema,
    score: z.number(),
    threshold: z.number(),
    drifted: z.boolean(),
    scores: driftScoresSchema,
    histogram: driftHistogramSchema,
    rul: z.object({ method: driftMethodSchema, score: z.number(), threshold: z.number(), drifted: z.boolean(), scores: driftScoresSchema, histogram: driftHistogramSchema }).optional(),
  }),
  estimated: estimatedPerformanceSchema,
  /** with labels: the realised figures at the same threshold on the same rows */
  realised: performanceSchema.optional(),
  chunking: chunkingSchema,
  chunks: z.object({
    labels: z.array(z.string()),
    rows: z.array(z.number().int()),
    series: z.array(chunkSeriesSchema),
  }),
  /** plain-language notes shown with the report (what matching did, small samples, …) */
  notes: z.array(z.string()),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

/** One line of a report history (runs/bundles list their reports). */
export const driftReportSummarySchema = z.object({
  reportId: z.string(),
  createdAt: z.string(),
  source: driftSourceSchema,
  current: driftCurrentSchema,
  comparison: z.enum(['matched', 'unmatched']),
  method: driftMethodChoiceSchema,
  datasetDrift: z.boolean(),
  driftedShare: z.number(),
  estimatedF2: z.number().nullable(),
  domainAuc: z.number(),
});
export type DriftReportSummary = z.infer<typeof driftReportSummarySchema>;

/** What starts a drift job (IPC `drift:start`); the CLI passes the same through its own options. */
export const driftRequestSchema = z.object({
  source: z.union([z.object({ runId: z.string().min(1) }), z.object({ bundleId: z.string().min(1) })]),
  datasetId: z.string().min(1),
  method: driftMethodChoiceSchema.optional(),
  thresholds: driftThresholdsSchema.partial().optional(),
  datasetDriftShare: z.number().gt(0).max(1).optional(),
  comparison: z.enum(['matched', 'unmatched', 'auto']).optional(),
  /** without a RUL file: whether the current units ran to failure; 'auto' decides from the model's alerts at their last rows */
  lives: z.enum(['auto', 'run-to-failure', 'in-service']).optional(),
  chunking: chunkingSchema.optional(),
});
export type DriftRequest = z.infer<typeof driftRequestSchema>;

/** Resolves 'auto' for one column (Evidently's rule). */
export function resolveMethod(choice: DriftMethodChoice, referenceN: number, currentN: number): DriftMethod {
  if (choice !== 'auto') return choice;
  return Math.min(referenceN, currentN) <= AUTO_KS_MAX_N ? 'ks' : 'wasserstein';
}

/** Whether one column drifts under a method and thresholds. */
export function columnVerdict(scores: DriftScores, method: DriftMethod, thresholds: DriftThresholds): { score: number; threshold: number; drifted: boolean; pValue?: number } {
  const threshold = thresholds[method];
  if (method === 'ks') return { score: scores.ks, threshold, pValue: scores.ksPValue, drifted: scores.ksPValue < threshold };
  const score = scores[method];
  return { score, threshold, drifted: score >= threshold };
}

/**
 * Re-reads a stored report under another method, thresholds or dataset-drift share (the Drift view's
 * controls): every column's verdict and the dataset verdict, from the stored scores.
 */
/**
 * Moves the operating settings (by the current data's column roles) out of `sensors` into their
 * own group: they describe the operating conditions, so a shift there is not a drifting sensor.
 */
export function separateSettings<R extends { sensors: ColumnDrift[]; settings?: ColumnDrift[] }>(report: R, settingColumns: ReadonlySet<string>): R {
  return {
    ...report,
    sensors: report.sensors.filter((c) => !settingColumns.has(c.name)),
    settings: [...(report.settings ?? []), ...report.sensors.filter((c) => settingColumns.has(c.name))],
  };
}

export function applyDriftRule(
  report: DriftReport,
  rule: { method: DriftMethodChoice; thresholds: DriftThresholds; datasetDriftShare: number },
): DriftReport {
  const redo = (c: ColumnDrift): ColumnDrift => {
    const method = resolveMethod(rule.method, c.referenceN, c.currentN);
    const v = columnVerdict(c.scores, method, rule.thresholds);
    const { pValue: _old, ...rest } = c;
    return { ...rest, method, score: v.score, threshold: v.threshold, drifted: v.drifted, ...(v.pValue === undefined ? {} : { pValue: v.pValue }) };
  };
  const features = report.features.map(redo);
  const driftedShare = features.length === 0 ? 0 : features.filter((f) => f.drifted).length / features.length;
  const p = report.prediction;
  const pm = resolveMethod(rule.method, report.reference.rows, report.current.rows);
  const pv = columnVerdict(p.scores, pm, rule.thresholds);
  const rul = p.rul === undefined ? undefined : (() => {
    const v = columnVerdict(p.rul.scores, pm, rule.thresholds);
    return { ...p.rul, method: pm, score: v.score, threshold: v.threshold, drifted: v.drifted };
  })();
  return {
    ...report,
    method: rule.method,
    thresholds: rule.thresholds,
    datasetDriftShare: rule.datasetDriftShare,
    features,
    sensors: report.sensors.map(redo),
    ...(report.settings === undefined ? {} : { settings: report.settings.map(redo) }),
    driftedShare,
    datasetDrift: features.length > 0 && driftedShare >= rule.datasetDriftShare,
    prediction: { ...p, method: pm, score: pv.score, threshold: pv.threshold, drifted: pv.drifted, ...(rul === undefined ? {} : { rul }) },
  };
}

// ---- alerts ----

/** What an alert rule watches in a finished drift report. */
export const alertMetricSchema = z.enum(['datasetDrift', 'driftedShare', 'pca', 'domainAuc', 'predictionDrift', 'estimatedF2', 'estimatedRecall', 'estimatedPrecision']);
export const alertRuleSchema = z.object({
  ruleId: z.string(),
  name: z.string().min(1).max(200),
  enabled: z.boolean(),
  metric: alertMetricSchema,
  /** 'above': fires when the value ≥ `value`; 'below': when ≤ `value` (booleans count as 1/0) */
  when: z.enum(['above', 'below']),
  value: z.number(),
  /**
   * 'validation': `value` is an offset from the source run's own validation figure of the same
   * metric (estimated F2, precision or recall), e.g. −0.1; absent: `value` is the threshold itself
   */
  relativeTo: z.enum(['validation']).optional(),
  severity: z.enum(['info', 'warning', 'critical']),
  /** limit to one run or bundle; absent = every report */
  scope: z.object({ kind: z.enum(['run', 'bundle']), id: z.string() }).optional(),
});
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const notificationSchema = z.object({
  notificationId: z.string(),
  createdAt: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  title: z.string(),
  body: z.string(),
  ruleId: z.string().nullable(),
  reportId: z.string().nullable(),
  read: z.boolean(),
  /** webhook delivery: absent when no webhook is configured */
  delivery: z
    .object({ state: z.enum(['pending', 'delivered', 'failed']), attempts: z.number().int(), lastError: z.string().nullable(), deliveredAt: z.string().nullable() })
    .optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** A Slack-compatible incoming-webhook target; off by default (air-gapped sites leave it off). */
export const webhookSettingSchema = z.object({
  enabled: z.boolean(),
  url: z.string().url().max(2048).nullable(),
});
export type WebhookSetting = z.infer<typeof webhookSettingSchema>;
