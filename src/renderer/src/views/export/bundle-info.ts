/** What the Export and Fleet views say about a bundle: its name, origin, files and models. */
import type { BundleEntry } from '../../../../shared/schemas';
import { formatShortDate } from '../../lib/format';

export const ORIGIN_LABELS: Record<BundleEntry['origin'], string> = {
  shipped: 'Shipped',
  exported: 'Exported',
  imported: 'Imported',
};

const ORIGIN_NOTES: Record<BundleEntry['origin'], string> = {
  shipped: 'comes with the app (read-only)',
  exported: 'exported from a run in this store',
  imported: 'imported into this store',
};

export function originNote(origin: BundleEntry['origin']): string {
  return ORIGIN_NOTES[origin];
}

/** The last part of the bundle's path: a folder name or a .zip file name. */
export function bundleName(entry: Pick<BundleEntry, 'path'>): string {
  const parts = entry.path.split(/[\\/]/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? entry.path;
}

export function isZip(entry: Pick<BundleEntry, 'path'>): boolean {
  return entry.path.toLowerCase().endsWith('.zip');
}

/** "run_01m8jxwj7xs9szgjx1" → "9szgjx1": the distinctive end of a run id, as the run list shows it. */
export function shortRunId(runId: string): string {
  return runId.replace(/^run_/, '').slice(-8);
}

/** The predictive models in the bundle (GBDT, and the LSTM when the run trained one). */
export function predictiveModels(entry: Pick<BundleEntry, 'files'>): string[] {
  const out = ['gbdt'];
  if (entry.files.includes('models/lstm.onnx')) out.push('lstm');
  return out;
}

export const MODEL_LABELS: Record<string, string> = { gbdt: 'GBDT', lstm: 'LSTM' };

/** How the ensemble weight combines the models, in words. */
export function ensembleText(entry: Pick<BundleEntry, 'files' | 'weight'>): string {
  const w = entry.weight;
  if (!predictiveModels(entry).includes('lstm')) return 'GBDT only (P = P_gbdt)';
  const g = Number(w.toFixed(3));
  const l = Number((1 - w).toFixed(3));
  return `P = ${g}·P_gbdt + ${l}·P_lstm`;
}

const FILE_NOTES: Record<string, string> = {
  'manifest.json':
    'Run, dataset fingerprint, label window, raw input columns, feature formulas in model order, scaler, models with SHA-256, weight, threshold, metrics',
  'models/gbdt.onnx': 'The GBDT as an ONNX TreeEnsembleClassifier (ai.onnx.ml), on the engineered features',
  'models/gbdt.xgboost.json': "The same GBDT in XGBoost's own JSON model format (xgboost.Booster.load_model)",
  'models/lstm.onnx': 'The LSTM with attention over the history window, as an ONNX graph',
  'models/gbdt-rul.onnx': 'Remaining useful life: the regression GBDT as an ONNX TreeEnsembleRegressor, on its own features (manifest rul.features)',
  'models/gbdt-rul.xgboost.json': "The same RUL GBDT in XGBoost's own JSON model format (reg:squarederror)",
  'models/lstm-rul.onnx': 'The LSTM’s remaining-useful-life head (output × cap = RUL), on the same windows',
  'models/pipeline.onnx': 'Raw sensor history in, ensemble probability (and RUL with its interval) out, in one ONNX graph',
  'drift/reference.json': 'Drift reference: its columns with quantile bin edges and moments, the PCA basis and the chunk bands',
  'drift/columns.f32': 'Drift reference rows (the training units, sampled above 20,000 rows) as float32 columns, for drift against this bundle',
  'model_card.md': 'Model card: purpose, model, data, metrics, threshold and limits, for reviewers',
  'openapi.json': 'OpenAPI description of the prediction endpoint the server stack serves',
  SHA256SUMS: 'SHA-256 of every other file; checked on import and by Verify',
  SIGNATURE: 'Ed25519 signature of SHA256SUMS (the bundle is signed)',
};

export function fileNote(file: string): string {
  return FILE_NOTES[file] ?? 'Extra file';
}

/** Files in the order a reader wants them: manifest, models, documents, checksums. */
export function orderedFiles(files: readonly string[]): string[] {
  const order = Object.keys(FILE_NOTES);
  const at = (f: string) => {
    const i = order.indexOf(f);
    return i === -1 ? order.length : i;
  };
  return [...files].sort((a, b) => at(a) - at(b) || a.localeCompare(b));
}

/** One line naming a bundle in a list or a picker. */
export function bundleLabel(entry: BundleEntry): string {
  return `${ORIGIN_LABELS[entry.origin]} · ${entry.datasetName ?? 'unknown data'} · run ${shortRunId(entry.runId)} · ${formatShortDate(entry.created)}${isZip(entry) ? ' · .zip' : ''}`;
}
