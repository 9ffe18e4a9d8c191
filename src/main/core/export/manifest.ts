/**
 * manifest.json of an export bundle (format version 1): what the bundle holds, how its features are
 * computed, the exact input contract and the run it came from. `parseManifest` checks what readers
 * rely on and keeps the rest as written.
 */
import { z } from 'zod';
import { storedFeatureSpecSchema, type FeatureSpec } from '../features/spec';
import type { DroppedSensor, FeatureDef, FeatureKind } from '../features/engineer';
import type { RegimeModel } from '../features/regime';
import type { ColumnRole } from '../data/table';
import type { RulInterval } from '../rul/types';
import type { ScalerParams } from '../split';
import { calibrationParamsSchema } from '../../../shared/calibration';
import { validateCalibration } from '../eval/calibration';
import type { Calibration } from '../rul/types';

export const BUNDLE_FORMAT = 'prognos-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_CARD_FILE = 'model_card.md';
export const OPENAPI_FILE = 'openapi.json';
export const GBDT_ONNX_FILE = 'models/gbdt.onnx';
export const GBDT_XGBOOST_FILE = 'models/gbdt.xgboost.json';
export const LSTM_ONNX_FILE = 'models/lstm.onnx';
export const PIPELINE_ONNX_FILE = 'models/pipeline.onnx';
export const GBDT_RUL_ONNX_FILE = 'models/gbdt-rul.onnx';
export const GBDT_RUL_XGBOOST_FILE = 'models/gbdt-rul.xgboost.json';
export const LSTM_RUL_ONNX_FILE = 'models/lstm-rul.onnx';
/** the drift reference: its description (JSON) and its columns (float32, little-endian, one after another) */
export const DRIFT_REFERENCE_FORMAT = 'prognos-drift-reference/1';
export const DRIFT_REFERENCE_FILE = 'drift/reference.json';
export const DRIFT_COLUMNS_FILE = 'drift/columns.f32';

export type TensorType = 'float32' | 'float64' | 'int64';

export interface TensorSpec {
  readonly name: string;
  readonly type: TensorType;
  readonly shape: (number | string)[];
  readonly description: string;
}

export interface ModelFileEntry {
  readonly file: string;
  readonly sha256: string;
  readonly format: 'onnx' | 'xgboost-json';
  readonly description: string;
  readonly inputs?: TensorSpec[];
  readonly outputs?: TensorSpec[];
  readonly opsets?: { domain: string; version: number }[];
  readonly irVersion?: number;
}

export interface RawColumn {
  readonly name: string;
  readonly original: string;
  readonly role: ColumnRole;
  /** Physical unit where known (C-MAPSS documentation or the caller). */
  readonly unit?: string;
  readonly description?: string;
  /** True when the pipeline model reads this column. */
  readonly usedByPipeline: boolean;
}

export interface PipelineManifest {
  readonly file: string;
  readonly historyColumns: string[];
  readonly minHistoryRows: number;
  readonly requiresFullHistory: boolean;
  readonly targetRows: number;
  readonly parts: string[];
  readonly features: string[];
  /** The input contract in words (also in model_card.md and openapi.json). */
  readonly contract: string[];
}

/** Remaining useful life: the regression models, their ensemble and the conformal interval. */
export interface RulManifest {
  /** target cap (piecewise-linear knee), cycles; the LSTM head outputs RUL / cap */
  readonly cap: number;
  /** GBDT weight: RUL = w·RUL_gbdt + (1 − w)·cap·σ_lstm */
  readonly weight: number;
  readonly formula: string;
  /** the RUL GBDT's inputs, in model order (same feature space as the classifier GBDT: gbdtInput) */
  readonly features: string[];
  readonly interval: RulInterval;
  /** how rul_low and rul_high follow from rul and the interval bins, in words */
  readonly intervalRule: string;
  readonly files: {
    readonly gbdt: ModelFileEntry;
    readonly gbdtXgboost: ModelFileEntry;
    readonly lstm?: ModelFileEntry;
  };
}

/**
 * The reference a server computes drift against (docs/drift.md, "Bundles' drift reference"): a
 * deterministic sample of the run's training rows as float32 columns, and their description (column
 * names and kinds, quantile bin edges, the PCA basis, the chunk bands of the default chunking).
 */
export interface DriftManifest {
  readonly format: typeof DRIFT_REFERENCE_FORMAT;
  readonly file: string;
  readonly sha256: string;
  readonly data: { readonly file: string; readonly sha256: string; readonly encoding: string };
  /** rows in the files, and in the whole reference they were drawn from */
  readonly rows: number;
  readonly totalRows: number;
  readonly sampled: boolean;
  readonly columns: number;
  readonly description: string;
}

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly formatVersion: typeof BUNDLE_FORMAT_VERSION;
  readonly created: string;
  readonly appVersion: string;
  readonly runId: string;
  readonly dataset: { readonly fingerprint: string; readonly name?: string };
  readonly label: { readonly window: number; readonly definition: string };
  readonly rawInput: {
    readonly unitColumn: string;
    readonly cycleColumn: string;
    readonly columns: RawColumn[];
    readonly historyColumns: string[];
  };
  readonly features: {
    readonly spec: FeatureSpec;
    readonly sensors: string[];
    readonly droppedSensors: DroppedSensor[];
    readonly regime?: RegimeModel;
    /** Every feature the spec engineers, with its formula and window. */
    readonly definitions: FeatureDef[];
  };
  /** The GBDT's inputs, in model order. */
  readonly selectedFeatures: string[];
  readonly selectedFeatureDefs: FeatureDef[];
  /** 'engineered': the GBDT reads the features as computed; 'scaled': standardised with `scaler`. */
  readonly gbdtInput: 'engineered' | 'scaled';
  /** The LSTM's inputs (standardised), in model order; absent without an LSTM. */
  readonly lstmFeatures?: string[];
  readonly scaler: ScalerParams | null;
  readonly windowLength: number;
  readonly models: {
    readonly gbdt: ModelFileEntry;
    readonly gbdtXgboost: ModelFileEntry;
    readonly lstm?: ModelFileEntry;
    readonly pipeline?: ModelFileEntry;
  };
  readonly pipeline: PipelineManifest | null;
  /** absent in bundles without a RUL model (their pipeline.onnx has no rul outputs either) */
  readonly rul?: RulManifest;
  /** absent in bundles exported before drift references existed */
  readonly drift?: DriftManifest;
  readonly ensemble: { readonly weight: number; readonly formula: string; readonly parts: string[] };
  /** Calibration of the ensemble probability; the threshold is on the calibrated scale. Absent in older bundles: none. */
  readonly calibration?: Calibration;
  readonly threshold: number;
  readonly alert: string;
  readonly metrics: Record<string, unknown>;
  readonly training: {
    readonly backend: string;
    readonly seed: number;
    readonly units?: { train: number; validation: number; test: number };
    readonly config?: unknown;
  };
  readonly signature?: {
    readonly algorithm: 'Ed25519';
    readonly publicKey: string;
    readonly file: string;
    readonly signs: string;
  };
}

const featureKinds = ['raw', 'mean', 'std', 'min', 'max', 'slope', 'ewma', 'diff', 'vsStart', 'trend', 'age', 'regimeCycles', 'regimeShare'] as const satisfies readonly FeatureKind[];

const featureDefSchema = z.object({
  name: z.string(),
  sensor: z.string(),
  kind: z.enum(featureKinds),
  window: z.number().int().min(1).optional(),
  alpha: z.number().optional(),
  regime: z.number().int().min(0).optional(),
  baselineCycles: z.number().int().min(1).optional(),
  formula: z.string(),
});

const sha = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');

const tensorSpecSchema = z.object({
  name: z.string(),
  type: z.enum(['float32', 'float64', 'int64']),
  shape: z.array(z.union([z.number().int(), z.string()])),
  description: z.string(),
});

const modelFileSchema = z.object({
  file: z.string(),
  sha256: sha,
  format: z.enum(['onnx', 'xgboost-json']),
  description: z.string(),
  inputs: z.array(tensorSpecSchema).optional(),
  outputs: z.array(tensorSpecSchema).optional(),
  opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })).optional(),
  irVersion: z.number().int().optional(),
});

const regimeSchema = z.object({
  settings: z.array(z.string()),
  settingMean: z.array(z.number()),
  settingStd: z.array(z.number()),
  centroids: z.array(z.array(z.number())),
  sensors: z.array(z.string()),
  sensorMean: z.array(z.array(z.number())),
  sensorStd: z.array(z.array(z.number())),
});

const rulSchema = z
  .object({
    cap: z.number().positive(),
    weight: z.number().min(0).max(1),
    formula: z.string(),
    features: z.array(z.string()).min(1),
    interval: z.object({
      method: z.literal('conformal'),
      coverage: z.number().gt(0).lt(1),
      bins: z
        .array(z.object({ upTo: z.number().nullable(), low: z.number().max(0), high: z.number().min(0) }))
        .min(1)
        .refine((bins) => bins.every((b, i) => (b.upTo === null) === (i === bins.length - 1)), 'only the last bin has no upper edge (upTo null)')
        .refine((bins) => bins.every((b, i) => i === 0 || b.upTo === null || b.upTo > bins[i - 1]!.upTo!), 'upper edges must increase'),
    }),
    intervalRule: z.string(),
    files: z.object({ gbdt: modelFileSchema, gbdtXgboost: modelFileSchema, lstm: modelFileSchema.optional() }).loose(),
  })
  .loose()
  .refine((r) => r.files.lstm !== undefined || r.weight === 1, { message: 'without an LSTM head the RUL weight must be 1' });

const driftSchema = z
  .object({
    format: z.literal(DRIFT_REFERENCE_FORMAT),
    file: z.literal(DRIFT_REFERENCE_FILE),
    sha256: sha,
    data: z.object({ file: z.literal(DRIFT_COLUMNS_FILE), sha256: sha, encoding: z.string() }).loose(),
    rows: z.number().int().min(1),
    totalRows: z.number().int().min(1),
    sampled: z.boolean(),
    columns: z.number().int().min(1),
    description: z.string(),
  })
  .loose()
  .refine((d) => d.rows <= d.totalRows && d.sampled === d.rows < d.totalRows, 'rows, totalRows and sampled disagree');

const scalerSchema = z
  .object({ names: z.array(z.string()), mean: z.array(z.number()), std: z.array(z.number()) })
  .refine((s) => s.mean.length === s.names.length && s.std.length === s.names.length, 'names, mean and std must have the same length');

export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    created: z.string(),
    appVersion: z.string(),
    runId: z.string().min(1),
    dataset: z.object({ fingerprint: z.string(), name: z.string().optional() }).loose(),
    label: z.object({ window: z.number().int().min(1), definition: z.string() }).loose(),
    rawInput: z
      .object({
        unitColumn: z.string(),
        cycleColumn: z.string(),
        columns: z.array(
          z
            .object({
              name: z.string(),
              original: z.string(),
              role: z.enum(['unit', 'cycle', 'setting', 'sensor']),
              unit: z.string().optional(),
              description: z.string().optional(),
              usedByPipeline: z.boolean(),
            })
            .loose(),
        ),
        historyColumns: z.array(z.string()),
      })
      .loose(),
    features: z
      .object({
        spec: storedFeatureSpecSchema,
        sensors: z.array(z.string()).min(1),
        droppedSensors: z.array(z.object({ name: z.string(), reason: z.string() })),
        regime: regimeSchema.optional(),
        definitions: z.array(featureDefSchema),
      })
      .loose(),
    selectedFeatures: z.array(z.string()).min(1),
    selectedFeatureDefs: z.array(featureDefSchema),
    gbdtInput: z.enum(['engineered', 'scaled']),
    lstmFeatures: z.array(z.string()).optional(),
    scaler: scalerSchema.nullable(),
    windowLength: z.number().int().min(1),
    models: z
      .object({
        gbdt: modelFileSchema,
        gbdtXgboost: modelFileSchema,
        lstm: modelFileSchema.optional(),
        pipeline: modelFileSchema.optional(),
      })
      .loose(),
    pipeline: z
      .object({
        file: z.string(),
        historyColumns: z.array(z.string()),
        minHistoryRows: z.number().int().min(1),
        requiresFullHistory: z.boolean(),
        targetRows: z.number().int().min(1),
        parts: z.array(z.string()),
        features: z.array(z.string()),
        contract: z.array(z.string()),
      })
      .loose()
      .nullable(),
    rul: rulSchema.optional(),
    drift: driftSchema.optional(),
    ensemble: z.object({ weight: z.number().min(0).max(1), formula: z.string(), parts: z.array(z.string()) }).loose(),
    calibration: calibrationParamsSchema
      .superRefine((c, ctx) => {
        try {
          validateCalibration(c, 'calibration');
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
    threshold: z.number().min(0).max(1),
    alert: z.string(),
    metrics: z.record(z.string(), z.unknown()),
    training: z
      .object({
        backend: z.string(),
        seed: z.number().int(),
        units: z.object({ train: z.number(), validation: z.number(), test: z.number() }).optional(),
        config: z.unknown().optional(),
      })
      .loose(),
    signature: z
      .object({ algorithm: z.literal('Ed25519'), publicKey: z.string(), file: z.string(), signs: z.string() })
      .optional(),
  })
  .loose()
  .refine((m) => (m.models.lstm === undefined) === (m.lstmFeatures === undefined), {
    message: 'lstmFeatures must be given exactly when an LSTM model is',
  })
  .refine((m) => m.models.lstm === undefined || m.scaler !== null, { message: 'an LSTM needs the scaler' })
  .refine((m) => m.rul?.files.lstm === undefined || m.models.lstm !== undefined, {
    message: 'rul.files.lstm reads the windows of the classifier LSTM, so models.lstm must be given too',
  });

export type ManifestCheck = { ok: true; manifest: BundleManifest } | { ok: false; reasons: string[] };

/** Validates parsed manifest JSON; an unknown format version is named as such. */
export function checkManifest(json: unknown): ManifestCheck {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reasons: ['not a JSON object'] };
  const rec = json as Record<string, unknown>;
  if (rec.format !== BUNDLE_FORMAT) return { ok: false, reasons: [`format is ${JSON.stringify(rec.format)}, not "${BUNDLE_FORMAT}"`] };
  if (rec.formatVersion !== BUNDLE_FORMAT_VERSION) {
    return {
      ok: false,
      reasons: [`format version ${JSON.stringify(rec.formatVersion)} is not supported (this version of Prognos reads version ${BUNDLE_FORMAT_VERSION})`],
    };
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    return { ok: false, reasons: r.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  return { ok: true, manifest: r.data as unknown as BundleManifest };
}
