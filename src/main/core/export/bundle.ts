/**
 * Export bundles (format version 1), as a folder or a .zip of it:
 *
 *   manifest.json            what the bundle holds, feature recipe, scaler, contract, metrics, run
 *   models/gbdt.onnx         ai.onnx.ml TreeEnsembleClassifier
 *   models/gbdt.xgboost.json XGBoost's JSON model (xgboost.Booster.load_model)
 *   models/lstm.onnx         LSTM + attention (when the run has a sequence model)
 *   models/pipeline.onnx     raw history → features → models → ensemble (unless switched off)
 *   drift/reference.json     the drift reference's description: columns, quantile edges, PCA basis, chunk bands
 *   drift/columns.f32        its rows (≤ 20,000 training rows) as float32 little-endian columns
 *   model_card.md, openapi.json
 *   SHA256SUMS               sha256sum format, every file but itself and SIGNATURE
 *   SIGNATURE                optional: base64 Ed25519 signature of SHA256SUMS
 *
 * Everything is built and checked in memory first, then written to a temporary sibling and renamed
 * into place, so a failure leaves nothing behind. Reading verifies checksums, the signature, the
 * format version, the required files and the ONNX headers, and refuses a bundle with any problem.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { badFile, PrognosError } from '../../../shared/errors';
import { validateCalibration } from '../eval/calibration';
import type { Calibration } from '../rul/types';
import { CMAPSS_VALUE_COLUMNS, type ColumnInfo } from '../data/table';
import { featureDefsOfState, type FeatureState } from '../features/engineer';
import type { GbdtModel } from '../models/gbdt';
import type { ScalerParams } from '../split';
import { formatSums, isPlainBundlePath, parseSums, sha256Hex, SUMS_FILE } from './checksums';
import { CMAPSS_COLUMN_INFO } from './cmapss-columns';
import { pipelineContractLines } from './contract';
import { featureDefsFor } from './feature-graph';
import { GBDT_INPUT, GBDT_LABEL, GBDT_PROBABILITIES, gbdtToOnnx } from './gbdt-onnx';
import { LSTM_INPUT, LSTM_OUTPUT, lstmDims, lstmToOnnx, membersOf, networksNote, type LstmMembers } from './lstm-onnx';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  checkManifest,
  DRIFT_COLUMNS_FILE,
  DRIFT_REFERENCE_FILE,
  DRIFT_REFERENCE_FORMAT,
  GBDT_ONNX_FILE,
  GBDT_RUL_ONNX_FILE,
  GBDT_RUL_XGBOOST_FILE,
  GBDT_XGBOOST_FILE,
  LSTM_ONNX_FILE,
  LSTM_RUL_ONNX_FILE,
  MANIFEST_FILE,
  MODEL_CARD_FILE,
  OPENAPI_FILE,
  PIPELINE_ONNX_FILE,
  type BundleManifest,
  type DriftManifest,
  type ModelFileEntry,
  type RawColumn,
  type RulManifest,
  type TensorSpec,
} from './manifest';
import { buildModelCard } from './model-card';
import { inspectModel, MAX_ONNX_ML_OPSET, MAX_ONNX_OPSET, IR_VERSION, ONNX_ML_DOMAIN } from './onnx';
import { buildOpenApi } from './openapi';
import { PIPELINE_INPUTS, PIPELINE_OUTPUTS, pipelineContract, pipelineToOnnx, type GbdtInputSpace, type PipelineRul, type PipelineSpec } from './pipeline-onnx';
import { checkRulSpec, GBDT_RUL_INPUT, GBDT_RUL_OUTPUT, gbdtRulToOnnx } from './rul-onnx';
import { loadSigningKey, parsePublicKey, publicKeyPem, SIGNATURE_ALGORITHM, SIGNATURE_FILE, signBase64 } from './signing';
import { assessTrust, type BundleTrust, type TrustedKey } from './trust';
import { writeZip, ZipError, ZipFileReader } from './zip';

/** Everything a bundle is made from: a finished run's models, feature recipe and results. */
export interface BundleInput {
  readonly runId: string;
  readonly appVersion: string;
  /** ISO 8601 time of the export (default: now). */
  readonly created?: string;
  readonly datasetFingerprint: string;
  readonly datasetName?: string;
  /** The dataset's value columns (settings and sensors) as imported. */
  readonly columns: readonly ColumnInfo[];
  /** Physical units by column name; C-MAPSS columns get their documented units by default. */
  readonly columnUnits?: Readonly<Record<string, string>>;
  readonly labelWindow: number;
  /** Rows per sequence window (the run's history window, 30 by default). */
  readonly windowLength: number;
  readonly featureState: FeatureState;
  /** The GBDT's features in model order (must equal gbdt.featureNames). */
  readonly selected: readonly string[];
  readonly gbdt: GbdtModel;
  /** What the GBDT was trained on (default 'engineered', as the training pipeline does). */
  readonly gbdtInput?: GbdtInputSpace;
  /** Standardisation fitted on the training units (needed for an LSTM or a scaled GBDT). */
  readonly scaler?: ScalerParams;
  readonly lstm?: LstmMembers;
  /** The LSTM's features in input order (default: the scaler's names). */
  readonly lstmFeatures?: readonly string[];
  /** Ensemble weight of the GBDT; must be 1 without an LSTM. */
  readonly weight: number;
  /** Calibration of the ensemble probability (none when absent); the threshold is on the calibrated scale. */
  readonly calibration?: Calibration;
  readonly threshold: number;
  /** Metrics per model and split, e.g. { gbdt: { validation, test } }. */
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly backend: string;
  readonly seed: number;
  readonly units?: { train: number; validation: number; test: number };
  readonly trainingConfig?: unknown;
  /** Write models/pipeline.onnx (default true). */
  readonly pipeline?: boolean;
  /**
   * Remaining useful life: regression GBDT (same feature space as `gbdt`), optional LSTM head (σ =
   * RUL / cap, the windows of `lstm`), ensemble weight and conformal interval.
   */
  readonly rul?: PipelineRul;
  /** the drift reference (core/drift/bundle-reference.ts): its description and its float32 columns */
  readonly drift?: BundleDriftReference;
}

/** What `buildDriftReference` makes for a bundle: two files, and the counts the manifest repeats. */
export interface BundleDriftReference {
  readonly json: Uint8Array;
  readonly columns: Uint8Array;
  readonly rows: number;
  readonly totalRows: number;
  readonly columnCount: number;
}

export interface WriteBundleOptions {
  /** Write one .zip file (at `out`, with ".zip" appended unless it ends with it) instead of a folder. */
  readonly zip?: boolean;
  /** Sign SHA256SUMS with this Ed25519 private key (PEM text, or the path of a PEM file). */
  readonly signKey?: string;
  /** Replace an existing bundle at the destination (default: refuse). */
  readonly overwrite?: boolean;
}

export interface WrittenBundle {
  /** The folder or .zip written. */
  readonly path: string;
  readonly manifest: BundleManifest;
  /** Bundle-relative paths of every file, sorted. */
  readonly files: string[];
}

export interface BundleProblem {
  readonly file: string;
  readonly reason: string;
}

export interface VerifyOptions {
  /** The keyring: the Ed25519 public keys the site trusts. Only these vouch for a bundle. */
  readonly trustedKeys?: readonly TrustedKey[];
  /** Refuse a bundle unless a key of `trustedKeys` signed it. */
  readonly requireTrusted?: boolean;
  /** The name messages give the bundle (an upload's file name), instead of the path's last part. */
  readonly displayName?: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly problems: BundleProblem[];
  readonly manifest?: BundleManifest;
  /** what the signature proves; absent when the bundle could not be read at all */
  readonly trust?: BundleTrust;
}

export interface LoadedBundle {
  readonly path: string;
  readonly manifest: BundleManifest;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly trust: BundleTrust;
}

const REQUIRED_FILES = [MANIFEST_FILE, MODEL_CARD_FILE, OPENAPI_FILE, GBDT_ONNX_FILE, GBDT_XGBOOST_FILE];
const textEncoder = new TextEncoder();

/** the manifest's copy of the calibration (none when the run had none) */
function calibrationOf(input: BundleInput): Calibration {
  const c = input.calibration ?? { method: 'none' };
  return c.method === 'isotonic' ? { method: 'isotonic', x: [...c.x], y: [...c.y] } : { ...c };
}

function invalid(message: string): never {
  throw new PrognosError('INVALID_INPUT', `Cannot export: ${message}`);
}

function checkInput(input: BundleInput): void {
  const names = input.gbdt.featureNames;
  if (input.selected.length !== names.length || input.selected.some((n, i) => n !== names[i])) {
    invalid('the selected features differ from the GBDT feature names');
  }
  if (!(input.threshold >= 0 && input.threshold <= 1)) invalid(`threshold ${input.threshold} is not in [0, 1]`);
  if (!(input.weight >= 0 && input.weight <= 1)) invalid(`ensemble weight ${input.weight} is not in [0, 1]`);
  if (input.lstm === undefined && input.weight !== 1) invalid(`ensemble weight ${input.weight} given, but there is no LSTM (it must be 1)`);
  if (input.lstm !== undefined && input.scaler === undefined) invalid('an LSTM needs the scaler of its features');
  if (input.calibration !== undefined) validateCalibration(input.calibration, 'Cannot export');
  if ((input.gbdtInput ?? 'engineered') === 'scaled' && input.scaler === undefined) invalid('a GBDT on scaled features needs the scaler');
  if (!Number.isInteger(input.windowLength) || input.windowLength < 1) invalid(`window length ${input.windowLength} is not a positive integer`);
  if (!Number.isInteger(input.labelWindow) || input.labelWindow < 1) invalid(`label window ${input.labelWindow} is not a positive integer`);
  const known = new Set(input.columns.map((c) => c.name));
  const needed = [...input.featureState.sensors, ...(input.featureState.regime?.settings ?? [])];
  for (const s of needed) if (!known.has(s)) invalid(`the feature recipe reads column "${s}", which the dataset columns do not list`);
  featureDefsFor(input.featureState, input.selected);
}

function isCmapssLayout(columns: readonly ColumnInfo[]): boolean {
  const names = columns.map((c) => c.name);
  return names.length === CMAPSS_VALUE_COLUMNS.length && CMAPSS_VALUE_COLUMNS.every((c, i) => c.name === names[i]);
}

function rawColumns(input: BundleInput, historyColumns: readonly string[]): RawColumn[] {
  const used = new Set(historyColumns);
  const cmapss = isCmapssLayout(input.columns);
  const out: RawColumn[] = [
    { name: 'unit', original: 'unit', role: 'unit', description: 'unit (engine) id', usedByPipeline: false },
    { name: 'cycle', original: 'cycle', role: 'cycle', unit: 'cycle', description: 'operating cycle, strictly increasing within a unit', usedByPipeline: true },
  ];
  for (const c of input.columns) {
    const doc = cmapss ? CMAPSS_COLUMN_INFO[c.name] : undefined;
    const unit = input.columnUnits?.[c.name] ?? doc?.unit;
    out.push({
      name: c.name,
      original: c.original,
      role: c.role,
      ...(unit === undefined ? {} : { unit }),
      ...(doc === undefined ? {} : { description: doc.description }),
      usedByPipeline: used.has(c.name),
    });
  }
  return out;
}

function onnxEntry(file: string, bytes: Uint8Array, description: string, inputs: TensorSpec[], outputs: TensorSpec[]): ModelFileEntry {
  const info = inspectModel(bytes);
  return { file, sha256: sha256Hex(bytes), format: 'onnx', description, inputs, outputs, opsets: info.opsets, irVersion: info.irVersion };
}

/** Every file of the bundle, in memory (paths relative to the bundle root). */
export function buildBundleFiles(input: BundleInput, signKey?: string): { manifest: BundleManifest; files: Map<string, Uint8Array> } {
  checkInput(input);
  const key = signKey === undefined ? undefined : loadSigningKey(signKey);
  const gbdtInput = input.gbdtInput ?? 'engineered';
  const state = input.featureState;
  const F = input.selected.length;
  const producerVersion = input.appVersion;
  const files = new Map<string, Uint8Array>();

  const gbdtOnnx = gbdtToOnnx(input.gbdt, { producerVersion });
  const xgbJson = textEncoder.encode(input.gbdt.toXGBoostJsonString());
  files.set(GBDT_ONNX_FILE, gbdtOnnx);
  files.set(GBDT_XGBOOST_FILE, xgbJson);
  const featureWords = gbdtInput === 'scaled' ? 'standardised features' : 'engineered features';
  const models: Record<string, ModelFileEntry> = {
    gbdt: onnxEntry(
      GBDT_ONNX_FILE,
      gbdtOnnx,
      `GBDT as ai.onnx.ml TreeEnsembleClassifier (${input.gbdt.trees.length} trees, binary, LOGISTIC)`,
      [{ name: GBDT_INPUT, type: 'float32', shape: ['N', F], description: `${featureWords} in selectedFeatures order` }],
      [
        { name: GBDT_LABEL, type: 'int64', shape: ['N'], description: '1 when p > 0.5 (use the bundle threshold instead)' },
        { name: GBDT_PROBABILITIES, type: 'float32', shape: ['N', 2], description: '[1 − p, p]' },
      ],
    ),
    gbdtXgboost: {
      file: GBDT_XGBOOST_FILE,
      sha256: sha256Hex(xgbJson),
      format: 'xgboost-json',
      description: 'the same GBDT in XGBoost JSON model format (binary:logistic), loadable by xgboost.Booster.load_model; inputs as models/gbdt.onnx',
    },
  };

  let lstmFeatures: string[] | undefined;
  if (input.lstm !== undefined) {
    const scaler = input.scaler!;
    lstmFeatures = [...(input.lstmFeatures ?? scaler.names)];
    for (const n of lstmFeatures) if (!scaler.names.includes(n)) invalid(`LSTM feature "${n}" has no scaler parameters`);
    featureDefsFor(state, lstmFeatures);
    lstmDims(input.lstm, lstmFeatures.length);
    const lstmOnnx = lstmToOnnx(input.lstm, { window: input.windowLength, features: lstmFeatures.length }, { producerVersion });
    files.set(LSTM_ONNX_FILE, lstmOnnx);
    models.lstm = onnxEntry(
      LSTM_ONNX_FILE,
      lstmOnnx,
      `${networksNote(membersOf(input.lstm).length)}LSTM → LSTM → additive attention → dense + sigmoid`,
      [{ name: LSTM_INPUT, type: 'float32', shape: ['N', input.windowLength, lstmFeatures.length], description: 'standardised lstmFeatures per row, oldest first, left-padded with the unit\'s first row' }],
      [{ name: LSTM_OUTPUT, type: 'float32', shape: ['N', 1], description: 'probability of failure within the label window' }],
    );
  }
  if (gbdtInput === 'scaled') for (const n of input.selected) if (!input.scaler!.names.includes(n)) invalid(`GBDT feature "${n}" has no scaler parameters`);

  const spec: PipelineSpec = {
    featureState: state,
    gbdt: input.gbdt,
    gbdtInput,
    ...(input.scaler === undefined ? {} : { scaler: input.scaler }),
    ...(input.lstm === undefined ? {} : { lstm: input.lstm, lstmFeatures: lstmFeatures! }),
    window: input.windowLength,
    weight: input.weight,
    ...(input.calibration === undefined ? {} : { calibration: input.calibration }),
    ...(input.rul === undefined ? {} : { rul: input.rul }),
  };
  const contract = pipelineContract(spec);
  let pipeline: BundleManifest['pipeline'] = null;
  let rul: RulManifest | undefined;
  if (input.rul !== undefined) {
    const r = input.rul;
    checkRulSpec(r, r.lstm !== undefined);
    if (r.lstm !== undefined && input.lstm === undefined) invalid('an LSTM RUL head needs the sequence model whose windows it reads');
    featureDefsFor(state, r.gbdt.featureNames);
    if (gbdtInput === 'scaled') for (const n of r.gbdt.featureNames) if (!input.scaler!.names.includes(n)) invalid(`RUL GBDT feature "${n}" has no scaler parameters`);
    const rulOnnx = gbdtRulToOnnx(r.gbdt, { producerVersion });
    const rulJson = textEncoder.encode(r.gbdt.toXGBoostJsonString());
    files.set(GBDT_RUL_ONNX_FILE, rulOnnx);
    files.set(GBDT_RUL_XGBOOST_FILE, rulJson);
    const rulFiles: { gbdt: ModelFileEntry; gbdtXgboost: ModelFileEntry; lstm?: ModelFileEntry } = {
      gbdt: onnxEntry(
        GBDT_RUL_ONNX_FILE,
        rulOnnx,
        `RUL GBDT as ai.onnx.ml TreeEnsembleRegressor (${r.gbdt.trees.length} trees, target capped at ${r.cap} cycles)`,
        [{ name: GBDT_RUL_INPUT, type: 'float32', shape: ['N', r.gbdt.nFeatures], description: `${featureWords} in rul.features order` }],
        [{ name: GBDT_RUL_OUTPUT, type: 'float32', shape: ['N', 1], description: 'remaining useful life, cycles' }],
      ),
      gbdtXgboost: {
        file: GBDT_RUL_XGBOOST_FILE,
        sha256: sha256Hex(rulJson),
        format: 'xgboost-json',
        description: 'the same RUL GBDT in XGBoost JSON model format (reg:squarederror), loadable by xgboost.Booster.load_model; inputs as models/gbdt-rul.onnx',
      },
    };
    if (r.lstm !== undefined) {
      lstmDims(r.lstm, lstmFeatures!.length);
      const bytes = lstmToOnnx(r.lstm, { window: input.windowLength, features: lstmFeatures!.length }, { producerVersion });
      files.set(LSTM_RUL_ONNX_FILE, bytes);
      rulFiles.lstm = onnxEntry(
        LSTM_RUL_ONNX_FILE,
        bytes,
        `${networksNote(membersOf(r.lstm).length)}LSTM → LSTM → additive attention → dense + sigmoid, RUL head: output × cap = RUL`,
        [{ name: LSTM_INPUT, type: 'float32', shape: ['N', input.windowLength, lstmFeatures!.length], description: 'the same windows as models/lstm.onnx' }],
        [{ name: LSTM_OUTPUT, type: 'float32', shape: ['N', 1], description: `remaining useful life / ${r.cap}` }],
      );
    }
    rul = {
      cap: r.cap,
      weight: r.weight,
      formula: r.lstm === undefined ? 'RUL = RUL_gbdt' : 'RUL = w·RUL_gbdt + (1 − w)·cap·σ_lstm',
      features: [...r.gbdt.featureNames],
      interval: { method: r.interval.method, coverage: r.interval.coverage, bins: r.interval.bins.map((b) => ({ upTo: b.upTo, low: b.low, high: b.high })) },
      intervalRule:
        'in float32: bin = the first bin whose upTo is > rul (the last, open bin when none); rul_low = max(0, rul + bin.low), rul_high = rul + bin.high',
      files: rulFiles,
    };
  }

  if (input.pipeline !== false) {
    const bytes = pipelineToOnnx(spec, { producerVersion });
    files.set(PIPELINE_ONNX_FILE, bytes);
    const C = contract.historyColumns.length;
    models.pipeline = onnxEntry(
      PIPELINE_ONNX_FILE,
      bytes,
      'raw sensor history → engineered features → scaler → models → ensemble probability',
      [
        { name: PIPELINE_INPUTS.history, type: 'float64', shape: ['N', 'history_rows', C], description: `raw ${contract.historyColumns.join(', ')}, right-aligned` },
        { name: PIPELINE_INPUTS.cycles, type: 'float64', shape: ['N', 'history_rows'], description: 'cycle number per row' },
        { name: PIPELINE_INPUTS.valid, type: 'int64', shape: ['N'], description: 'real rows per unit (the rest, on the left, is padding)' },
      ],
      [
        { name: PIPELINE_OUTPUTS.probability, type: 'float32', shape: ['N'], description: 'ensemble probability at the latest row' },
        { name: PIPELINE_OUTPUTS.parts, type: 'float32', shape: ['N', contract.parts.length], description: contract.parts.join(', ') },
        { name: PIPELINE_OUTPUTS.features, type: 'float32', shape: ['N', F], description: 'engineered features at the latest row, selectedFeatures order' },
        ...(input.rul === undefined
          ? []
          : [
              { name: PIPELINE_OUTPUTS.rul, type: 'float32' as const, shape: ['N'], description: 'remaining useful life at the latest row, cycles' },
              { name: PIPELINE_OUTPUTS.rulLow, type: 'float32' as const, shape: ['N'], description: 'lower end of the RUL interval (manifest.rul.interval)' },
              { name: PIPELINE_OUTPUTS.rulHigh, type: 'float32' as const, shape: ['N'], description: 'upper end of the RUL interval' },
            ]),
      ],
    );
    pipeline = { file: PIPELINE_ONNX_FILE, ...contract, contract: pipelineContractLines(contract, input.windowLength) };
  }

  let drift: DriftManifest | undefined;
  if (input.drift !== undefined) {
    const d = input.drift;
    if (d.columns.byteLength !== d.rows * d.columnCount * 4) invalid(`the drift reference holds ${d.columns.byteLength} bytes, not ${d.rows} rows × ${d.columnCount} float32 columns`);
    files.set(DRIFT_REFERENCE_FILE, d.json);
    files.set(DRIFT_COLUMNS_FILE, d.columns);
    drift = {
      format: DRIFT_REFERENCE_FORMAT,
      file: DRIFT_REFERENCE_FILE,
      sha256: sha256Hex(d.json),
      data: { file: DRIFT_COLUMNS_FILE, sha256: sha256Hex(d.columns), encoding: 'float32 little-endian, column after column (rows values each), in the order drift/reference.json lists the columns' },
      rows: d.rows,
      totalRows: d.totalRows,
      sampled: d.rows < d.totalRows,
      columns: d.columnCount,
      description: `the run's training rows with a full history window${d.rows < d.totalRows ? ` (a seeded sample of ${d.rows} of ${d.totalRows})` : ''}: engineered features, raw sensors and settings, probability and RUL, with quantile bin edges, the PCA basis and the chunk bands; what drift is computed against`,
    };
  }

  const defs = featureDefsOfState(state);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    created: input.created ?? new Date().toISOString(),
    appVersion: input.appVersion,
    runId: input.runId,
    dataset: { fingerprint: input.datasetFingerprint, ...(input.datasetName === undefined ? {} : { name: input.datasetName }) },
    label: { window: input.labelWindow, definition: `failure within ${input.labelWindow} cycles: RUL ≤ ${input.labelWindow}` },
    rawInput: { unitColumn: 'unit', cycleColumn: 'cycle', columns: rawColumns(input, contract.historyColumns), historyColumns: contract.historyColumns },
    features: {
      spec: state.spec,
      sensors: [...state.sensors],
      droppedSensors: [...state.droppedSensors],
      ...(state.regime === undefined ? {} : { regime: state.regime }),
      definitions: defs,
    },
    selectedFeatures: [...input.selected],
    selectedFeatureDefs: featureDefsFor(state, input.selected),
    gbdtInput,
    ...(lstmFeatures === undefined ? {} : { lstmFeatures }),
    scaler: input.scaler === undefined ? null : { names: [...input.scaler.names], mean: [...input.scaler.mean], std: [...input.scaler.std] },
    windowLength: input.windowLength,
    models: models as BundleManifest['models'],
    pipeline,
    ...(rul === undefined ? {} : { rul }),
    ...(drift === undefined ? {} : { drift }),
    ensemble: {
      weight: input.weight,
      formula: input.lstm === undefined ? 'P = P_gbdt' : 'P = w·P_gbdt + (1 − w)·P_lstm',
      parts: contract.parts,
    },
    calibration: calibrationOf(input),
    threshold: input.threshold,
    alert: `probability ≥ ${input.threshold}`,
    metrics: { ...input.metrics },
    training: {
      backend: input.backend,
      seed: input.seed,
      ...(input.units === undefined ? {} : { units: input.units }),
      ...(input.trainingConfig === undefined ? {} : { config: input.trainingConfig }),
    },
    ...(key === undefined
      ? {}
      : { signature: { algorithm: SIGNATURE_ALGORITHM, publicKey: publicKeyPem(key), file: SIGNATURE_FILE, signs: SUMS_FILE } }),
  };
  files.set(MANIFEST_FILE, textEncoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  files.set(MODEL_CARD_FILE, textEncoder.encode(buildModelCard(manifest, { lstmNetworks: input.lstm === undefined ? 1 : membersOf(input.lstm).length })));
  files.set(OPENAPI_FILE, textEncoder.encode(`${JSON.stringify(buildOpenApi(manifest), null, 2)}\n`));
  const sums = textEncoder.encode(formatSums([...files].map(([path, data]) => ({ path, sha256: sha256Hex(data) }))));
  files.set(SUMS_FILE, sums);
  if (key !== undefined) files.set(SIGNATURE_FILE, textEncoder.encode(`${signBase64(sums, key)}\n`));
  return { manifest, files };
}

// ---------------------------------------------------------------- checking

function checkOnnx(file: string, bytes: Uint8Array, expectedInputs: readonly string[], problems: BundleProblem[]): void {
  let info;
  try {
    info = inspectModel(bytes);
  } catch (e) {
    problems.push({ file, reason: `not a readable ONNX model (${e instanceof Error ? e.message : String(e)})` });
    return;
  }
  if (info.irVersion < 3 || info.irVersion > IR_VERSION) problems.push({ file, reason: `incompatible: IR version ${info.irVersion} (supported 3–${IR_VERSION})` });
  for (const o of info.opsets) {
    const max = o.domain === '' || o.domain === 'ai.onnx' ? MAX_ONNX_OPSET : o.domain === ONNX_ML_DOMAIN ? MAX_ONNX_ML_OPSET : -1;
    if (max < 0) problems.push({ file, reason: `incompatible: unknown operator domain ${o.domain}` });
    else if (o.version > max) problems.push({ file, reason: `incompatible: ${o.domain || 'ai.onnx'} opset ${o.version} (at most ${max})` });
  }
  const inputs = new Set(info.inputs.map((i) => i.name));
  for (const name of expectedInputs) if (!inputs.has(name)) problems.push({ file, reason: `incompatible: no input named ${name}` });
}

/** Checks an in-memory bundle; never throws for bundle content. */
export function checkBundleFiles(files: ReadonlyMap<string, Uint8Array>, opts: VerifyOptions = {}): VerifyResult & { readonly trust: BundleTrust } {
  const problems: BundleProblem[] = [];
  const sumsBytes = files.get(SUMS_FILE);
  let listed = new Set<string>();
  if (sumsBytes === undefined) {
    problems.push({ file: SUMS_FILE, reason: 'missing: the bundle has no checksums' });
  } else {
    const parsed = parseSums(Buffer.from(sumsBytes).toString('utf8'));
    for (const reason of parsed.problems) problems.push({ file: SUMS_FILE, reason });
    listed = new Set(parsed.entries.map((e) => e.path));
    for (const e of parsed.entries) {
      const data = files.get(e.path);
      if (data === undefined) problems.push({ file: e.path, reason: 'listed in SHA256SUMS but missing' });
      else {
        const got = sha256Hex(data);
        if (got !== e.sha256) problems.push({ file: e.path, reason: `checksum mismatch: SHA256SUMS says ${e.sha256}, the file has ${got}` });
      }
    }
    for (const path of files.keys()) {
      if (path !== SUMS_FILE && path !== SIGNATURE_FILE && !listed.has(path)) problems.push({ file: path, reason: 'not listed in SHA256SUMS' });
    }
  }
  for (const f of REQUIRED_FILES) if (!files.has(f)) problems.push({ file: f, reason: 'required file missing' });

  let manifest: BundleManifest | undefined;
  const manifestBytes = files.get(MANIFEST_FILE);
  if (manifestBytes !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
    } catch (e) {
      problems.push({ file: MANIFEST_FILE, reason: `not valid JSON (${e instanceof Error ? e.message : String(e)})` });
    }
    if (json !== undefined) {
      const c = checkManifest(json);
      if (c.ok) manifest = c.manifest;
      else for (const reason of c.reasons) problems.push({ file: MANIFEST_FILE, reason });
    }
  }

  if (manifest !== undefined) {
    const m = manifest;
    const rulEntries = m.rul === undefined ? [] : Object.entries(m.rul.files);
    const driftEntries: [string, { file: string; sha256: string }][] = m.drift === undefined ? [] : [['drift', m.drift], ['driftData', m.drift.data]];
    const entries = [...Object.entries(m.models), ...rulEntries, ...driftEntries].filter((e): e is [string, { file: string; sha256: string }] => e[1] !== undefined);
    for (const [, entry] of entries) {
      const data = files.get(entry.file);
      if (data === undefined) {
        if (!problems.some((p) => p.file === entry.file)) problems.push({ file: entry.file, reason: 'named in manifest.json but missing' });
        continue;
      }
      const got = sha256Hex(data);
      if (got !== entry.sha256) problems.push({ file: entry.file, reason: `checksum mismatch: manifest.json says ${entry.sha256}, the file has ${got}` });
    }
    const expectations: [ModelFileEntry | undefined, string[]][] = [
      [m.models.gbdt, [GBDT_INPUT]],
      [m.models.lstm, [LSTM_INPUT]],
      [m.models.pipeline, [PIPELINE_INPUTS.history, PIPELINE_INPUTS.cycles, PIPELINE_INPUTS.valid]],
      [m.rul?.files.gbdt, [GBDT_RUL_INPUT]],
      [m.rul?.files.lstm, [LSTM_INPUT]],
    ];
    for (const [entry, inputs] of expectations) {
      const data = entry === undefined ? undefined : files.get(entry.file);
      if (entry !== undefined && data !== undefined) checkOnnx(entry.file, data, inputs, problems);
    }
    const pipelineBytes = m.models.pipeline === undefined ? undefined : files.get(m.models.pipeline.file);
    if (m.rul !== undefined && pipelineBytes !== undefined) {
      try {
        const outs = new Set(inspectModel(pipelineBytes).outputs.map((o) => o.name));
        for (const name of [PIPELINE_OUTPUTS.rul, PIPELINE_OUTPUTS.rulLow, PIPELINE_OUTPUTS.rulHigh]) {
          if (!outs.has(name)) problems.push({ file: m.models.pipeline!.file, reason: `incompatible: manifest.json has rul, but the pipeline has no output ${name}` });
        }
      } catch {
        // an unreadable model is reported by checkOnnx above
      }
    }
    if ((m.pipeline === null) !== (m.models.pipeline === undefined)) {
      problems.push({ file: MANIFEST_FILE, reason: 'pipeline contract and pipeline model must be given together' });
    }
  }

  // signature and trust: only a key of the keyring vouches; the manifest's key is a claim (trust.ts)
  const sigBytes = files.get(SIGNATURE_FILE);
  const declared = manifest?.signature;
  const trust = assessTrust(sumsBytes, sigBytes, declared?.publicKey, opts.trustedKeys ?? []);
  if (declared !== undefined) {
    const embedded = parsePublicKey(declared.publicKey);
    if (declared.file !== SIGNATURE_FILE || declared.signs !== SUMS_FILE) problems.push({ file: MANIFEST_FILE, reason: 'signature entry names unexpected files' });
    if (embedded === null || embedded.asymmetricKeyType !== 'ed25519') problems.push({ file: MANIFEST_FILE, reason: 'signature.publicKey is not an Ed25519 public key' });
    if (sigBytes === undefined) problems.push({ file: SIGNATURE_FILE, reason: 'missing: manifest.json declares a signature' });
  } else if (sigBytes !== undefined && manifest !== undefined) {
    problems.push({ file: SIGNATURE_FILE, reason: 'present, but manifest.json declares no signature' });
  }
  if (trust.verdict === 'bad-signature') problems.push({ file: SIGNATURE_FILE, reason: trust.summary });
  else if (opts.requireTrusted === true && trust.verdict !== 'trusted') {
    problems.push({ file: SIGNATURE_FILE, reason: `not signed by a trusted key (${trust.summary}); the trust policy requires one` });
  }
  return problems.length === 0 && manifest !== undefined ? { ok: true, problems, manifest, trust } : { ok: false, problems, trust, ...(manifest === undefined ? {} : { manifest }) };
}

// ---------------------------------------------------------------- file system

/** The most a bundle may hold in total and in any one file; a bundle is read into memory to be checked. */
const MAX_BUNDLE_BYTES = 256 * 1024 ** 2;
const MAX_FILE_BYTES = 128 * 1024 ** 2;
const MAX_ZIP_ENTRIES = 1000;
/** How many names a folder listing may give before the bundle is refused (extra files are only listed). */
const MAX_LISTED_NAMES = 10_000;

interface LoadedFiles {
  files: Map<string, Uint8Array>;
  problems: BundleProblem[];
}

const noSums = (): PrognosError => badFile([{ file: SUMS_FILE, reason: 'missing: the bundle has no checksums, so nothing else in it was read' }]);

/**
 * Reads `rel` under `root` only if every part of the path is a real folder or file inside it: no
 * symbolic link is followed, no device or FIFO is opened (O_NOFOLLOW, O_NONBLOCK, and the opened
 * file must be the regular file that was checked). Returns a reason instead of the bytes otherwise.
 */
async function readInside(root: string, rel: string, maxBytes: number): Promise<Uint8Array | string> {
  const parts = rel.split('/');
  let at = root;
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i]!);
    let info;
    try {
      info = await lstat(at);
    } catch {
      return i === parts.length - 1 ? 'missing' : `missing (no folder ${parts.slice(0, i + 1).join('/')})`;
    }
    if (info.isSymbolicLink()) return 'a symbolic link: links are not followed in a bundle';
    if (i < parts.length - 1 && !info.isDirectory()) return `${parts.slice(0, i + 1).join('/')} is not a folder`;
    if (i === parts.length - 1 && !info.isFile()) return 'not a regular file (links and devices are not allowed in a bundle)';
    if (i === parts.length - 1 && info.size > maxBytes) return `larger than ${maxBytes} bytes`;
  }
  let fh;
  try {
    fh = await open(at, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (e) {
    return `cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const info = await fh.stat();
    if (!info.isFile()) return 'not a regular file (links and devices are not allowed in a bundle)';
    if (info.size > maxBytes) return `larger than ${maxBytes} bytes`;
    const data = new Uint8Array(info.size);
    let got = 0;
    while (got < data.length) {
      const { bytesRead } = await fh.read(data, got, data.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === data.length ? data : 'changed while being read';
  } finally {
    await fh.close();
  }
}

/** Every name in the folder, from directory listings only (nothing is opened, links are not entered). */
async function listFolder(root: string): Promise<{ rel: string; kind: 'file' | 'other' }[]> {
  const out: { rel: string; kind: 'file' | 'other' }[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      if (out.length >= MAX_LISTED_NAMES) throw badFile([{ file: prefix === '' ? ent.name : prefix, reason: `the folder holds more than ${MAX_LISTED_NAMES} names` }]);
      const rel = prefix === '' ? ent.name : `${prefix}/${ent.name}`;
      if (ent.isDirectory()) await walk(join(dir, ent.name), rel);
      else out.push({ rel, kind: ent.isFile() ? 'file' : 'other' });
    }
  };
  await walk(root, '');
  return out;
}

/**
 * A bundle folder: manifest.json and SHA256SUMS first (nothing else is touched when they are
 * missing), then only the files SHA256SUMS lists and SIGNATURE. Other names are reported from the
 * listing without being opened.
 */
async function readFolder(root: string): Promise<LoadedFiles> {
  const files = new Map<string, Uint8Array>();
  const problems: BundleProblem[] = [];
  const sums = await readInside(root, SUMS_FILE, MAX_FILE_BYTES);
  if (typeof sums === 'string') throw sums === 'missing' ? noSums() : badFile([{ file: SUMS_FILE, reason: sums }]);
  const manifest = await readInside(root, MANIFEST_FILE, MAX_FILE_BYTES);
  if (typeof manifest === 'string') throw badFile([{ file: MANIFEST_FILE, reason: manifest === 'missing' ? 'required file missing, so nothing else in the bundle was read' : manifest }]);
  files.set(SUMS_FILE, sums);
  files.set(MANIFEST_FILE, manifest);
  let total = sums.length + manifest.length;
  const listed = parseSums(Buffer.from(sums).toString('utf8')).entries.map((e) => e.path);
  for (const rel of [...listed, SIGNATURE_FILE]) {
    if (files.has(rel)) continue;
    const got = await readInside(root, rel, MAX_FILE_BYTES);
    if (typeof got === 'string') {
      // a missing listed file is reported by the checks; a missing SIGNATURE is no problem here
      if (got !== 'missing') problems.push({ file: rel, reason: got });
      continue;
    }
    total += got.length;
    if (total > MAX_BUNDLE_BYTES) throw badFile([{ file: rel, reason: `the bundle is larger than ${MAX_BUNDLE_BYTES} bytes` }]);
    files.set(rel, got);
  }
  const known = new Set([...listed, SUMS_FILE, SIGNATURE_FILE, MANIFEST_FILE]);
  for (const { rel, kind } of await listFolder(root)) {
    if (known.has(rel)) continue;
    problems.push({ file: rel, reason: kind === 'file' ? 'not listed in SHA256SUMS (not read)' : 'not a regular file (links and devices are not allowed in a bundle)' });
  }
  return { files, problems };
}

/**
 * A bundle .zip: the central directory is checked first (names, sizes, counts, overlaps), then
 * SHA256SUMS and manifest.json are read, then only the listed entries and SIGNATURE, each streamed,
 * hashed and size-checked as it inflates. Unlisted entries are reported by name and never inflated.
 */
async function readZipBundle(path: string): Promise<LoadedFiles> {
  const zip = await ZipFileReader.open(path, { maxTotalBytes: 8 * MAX_BUNDLE_BYTES, maxEntryBytes: MAX_FILE_BYTES, maxEntries: MAX_ZIP_ENTRIES });
  try {
    const names = [...zip.entries.keys()];
    // a zip whose entries all sit in one top folder is read as if that folder were the root
    let prefix = '';
    if (!zip.entries.has(MANIFEST_FILE) && !zip.entries.has(SUMS_FILE)) {
      const tops = new Set(names.map((k) => k.split('/')[0]!));
      if (tops.size === 1 && names.every((k) => k.includes('/'))) prefix = `${[...tops][0]!}/`;
    }
    const files = new Map<string, Uint8Array>();
    const problems: BundleProblem[] = [];
    const read = async (rel: string): Promise<Uint8Array | undefined> => {
      if (!zip.entries.has(prefix + rel)) return undefined;
      const r = await zip.read(prefix + rel, { keep: true });
      return r.data;
    };
    const sums = await read(SUMS_FILE);
    if (sums === undefined) throw noSums();
    const manifest = await read(MANIFEST_FILE);
    if (manifest === undefined) throw badFile([{ file: MANIFEST_FILE, reason: 'required file missing, so nothing else in the bundle was read' }]);
    files.set(SUMS_FILE, sums);
    files.set(MANIFEST_FILE, manifest);
    let total = sums.length + manifest.length;
    const listed = parseSums(Buffer.from(sums).toString('utf8')).entries.map((e) => e.path);
    for (const rel of [...listed, SIGNATURE_FILE]) {
      if (files.has(rel)) continue;
      const size = zip.entries.get(prefix + rel)?.size ?? 0;
      if (total + size > MAX_BUNDLE_BYTES) throw badFile([{ file: rel, reason: `the bundle is larger than ${MAX_BUNDLE_BYTES} bytes` }]);
      const got = await read(rel);
      if (got === undefined) continue;
      total += got.length;
      files.set(rel, got);
    }
    const known = new Set([...listed, SUMS_FILE, SIGNATURE_FILE, MANIFEST_FILE].map((r) => prefix + r));
    for (const name of names) if (!known.has(name)) problems.push({ file: name.slice(prefix.length) || name, reason: 'not listed in SHA256SUMS (not read)' });
    return { files, problems };
  } finally {
    await zip.close();
  }
}

async function loadFiles(path: string, displayName: string): Promise<LoadedFiles> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    throw new PrognosError('NOT_FOUND', `No bundle ${displayName}.`);
  }
  if (info.isDirectory()) return readFolder(path);
  if (!info.isFile()) throw badFile([{ file: displayName, reason: 'not a folder or a .zip file' }]);
  try {
    return await readZipBundle(path);
  } catch (e) {
    if (e instanceof ZipError) throw badFile([{ file: displayName, reason: `not a readable bundle archive: ${e.message}` }]);
    throw e;
  }
}

/**
 * Copies a bundle into the store: a .zip as it is, a folder as the files read from it (only those
 * SHA256SUMS lists, SIGNATURE, and none reached through a link). The copy is then verified again.
 */
export async function copyBundle(src: string, dest: string): Promise<void> {
  const info = await lstat(src);
  if (info.isFile()) {
    await copyFile(src, dest, fsConstants.COPYFILE_EXCL);
    return;
  }
  const { files } = await readFolder(src);
  for (const [rel, data] of files) {
    const target = join(dest, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
  }
}

/** Checks a bundle folder or .zip; `ok` is false with every problem found (file and reason). */
export async function verifyBundle(path: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const displayName = opts.displayName ?? basename(path);
  let loaded;
  try {
    loaded = await loadFiles(path, displayName);
  } catch (e) {
    if (e instanceof PrognosError && (e.code === 'BAD_FILE' || e.code === 'NOT_FOUND')) {
      const issues = e.details?.issues;
      return { ok: false, problems: issues !== undefined ? issues.map((i) => ({ file: i.file, reason: i.reason })) : [{ file: displayName, reason: e.message }] };
    }
    throw e;
  }
  const r = checkBundleFiles(loaded.files, opts);
  const problems = [...loaded.problems, ...r.problems];
  return { ok: problems.length === 0 && r.ok, problems, ...(r.manifest === undefined ? {} : { manifest: r.manifest }), trust: r.trust };
}

/** Loads and verifies a bundle; a bundle with any problem is refused with BAD_FILE naming the files. */
export async function readBundle(path: string, opts: VerifyOptions = {}): Promise<LoadedBundle> {
  const { files, problems: found } = await loadFiles(path, opts.displayName ?? basename(path));
  const r = checkBundleFiles(files, opts);
  const problems = [...found, ...r.problems];
  if (problems.length > 0 || r.manifest === undefined) {
    throw badFile(problems.length > 0 ? problems : [{ file: MANIFEST_FILE, reason: 'unreadable' }]);
  }
  return { path, manifest: r.manifest, files, trust: r.trust };
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function clearDestination(dest: string, overwrite: boolean): Promise<void> {
  if (!(await exists(dest))) return;
  const info = await lstat(dest);
  if (info.isDirectory() && (await readdir(dest)).length === 0) {
    await rmdir(dest);
    return;
  }
  if (!overwrite) throw new PrognosError('CONFLICT', `${dest} already exists; choose another destination or allow overwriting.`);
  await rm(dest, { recursive: true, force: true });
}

/**
 * Writes a bundle folder (or, with `zip`, one .zip file) and returns what was written. Nothing is
 * left at the destination when anything fails.
 */
export async function writeBundle(input: BundleInput, out: string, opts: WriteBundleOptions = {}): Promise<WrittenBundle> {
  const dest = resolve(opts.zip === true && !out.toLowerCase().endsWith('.zip') ? `${out}.zip` : out);
  if (opts.overwrite !== true && (await exists(dest))) {
    const info = await lstat(dest);
    if (!info.isDirectory() || (await readdir(dest)).length > 0) {
      throw new PrognosError('CONFLICT', `${dest} already exists; choose another destination or allow overwriting.`);
    }
  }
  const { manifest, files } = buildBundleFiles(input, opts.signKey);
  const check = checkBundleFiles(files);
  if (!check.ok) throw new PrognosError('INTERNAL', `the bundle failed its own check: ${check.problems.map((p) => `${p.file}: ${p.reason}`).join('; ')}`);
  for (const name of files.keys()) if (!isPlainBundlePath(name)) throw new PrognosError('INTERNAL', `unsafe bundle path ${name}`);
  const names = [...files.keys()].sort();
  await mkdir(dirname(dest), { recursive: true });
  const temp = join(dirname(dest), `.${basename(dest)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    if (opts.zip === true) {
      const created = new Date(manifest.created);
      const zip = writeZip(
        names.map((name) => ({ name, data: files.get(name)! })),
        Number.isNaN(created.getTime()) ? new Date() : created,
      );
      await writeFile(temp, zip, { flag: 'wx' });
    } else {
      await mkdir(temp);
      for (const name of names) {
        const target = join(temp, ...name.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, files.get(name)!, { flag: 'wx' });
      }
    }
    await clearDestination(dest, opts.overwrite === true);
    await rename(temp, dest);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  return { path: dest, manifest, files: names };
}
