/**
 * Why a unit is at risk: the GBDT's TreeSHAP contributions at the unit's last row, per engineered
 * feature and summed per raw column (the sensor, setting or other source each feature is computed
 * from), for the report's unit panels.
 */
import { badFile, PrognosError } from '../../../shared/errors';
import type { ReportContribution } from '../../../shared/report';
import { sha256Hex } from '../export/checksums';
import type { BundleManifest, ModelFileEntry } from '../export/manifest';
import { featureDefsOfState, REGIME_SOURCE, type FeatureDef, type FeatureState } from '../features/engineer';
import { GbdtModel } from '../models/gbdt/model';
import { treeShap } from '../models/gbdt/shap';

/**
 * The source of the regime features (cycles and share of time per operating regime): they depend on
 * every operating setting together, so they are attributed to the operating regime as a whole.
 */
export { REGIME_SOURCE };

export interface UnitExplanation {
  /** expected margin (log-odds, or target units for a regression GBDT) */
  bias: number;
  /** the `top` features with the largest |contribution|, largest first */
  contributions: ReportContribution[];
  /** every source with the sum of its features' contributions, largest |sum| first */
  sources: { source: string; contribution: number }[];
}

/** A feature state, or the feature definitions themselves (a bundle manifest's `features.definitions`). */
export type FeatureSourceInfo = FeatureState | readonly FeatureDef[];

function defsOf(info: FeatureSourceInfo): readonly FeatureDef[] {
  return Array.isArray(info) ? (info as readonly FeatureDef[]) : featureDefsOfState(info as FeatureState);
}

/**
 * For each engineered feature name, the raw column it is computed from: the sensor (or setting) for
 * raw values, window statistics, EWMAs and differences (with regime normalisation the settings pick
 * the regime, but the value is still the sensor's); `REGIME_SOURCE` for the regime features, which
 * read all operating settings. A name the definitions do not know falls back to the longest known
 * column that prefixes it as `<column>_…`, and otherwise to the name itself (its own source).
 */
export function featureSources(info: FeatureSourceInfo, names: readonly string[]): string[] {
  const defs = defsOf(info);
  const byName = new Map(defs.map((d) => [d.name, d]));
  const columns = [...new Set(defs.filter((d) => d.sensor !== REGIME_SOURCE).map((d) => d.sensor))].sort(
    (a, b) => b.length - a.length,
  );
  return names.map((n) => {
    const d = byName.get(n);
    if (d !== undefined) return d.kind === 'regimeCycles' || d.kind === 'regimeShare' ? REGIME_SOURCE : d.sensor;
    if (/^regime\d+_(cycles|share)$/.test(n)) return REGIME_SOURCE;
    const c = columns.find((s) => n === s || n.startsWith(`${s}_`));
    return c ?? n;
  });
}

/**
 * Explains one row of the GBDT: TreeSHAP contributions (margin space) of the `top` features with the
 * largest |contribution| (ties: model feature order), and the per-source sums over all features.
 * `row` is in model feature order (what the model reads, NaN = missing); `values` (default `row`)
 * are the values to show, e.g. the engineered values when the model reads standardised features.
 * bias + Σ over all features' contributions = the row's margin.
 */
export function explainUnit(
  model: GbdtModel,
  row: ArrayLike<number>,
  sources: readonly string[],
  top: number,
  values: ArrayLike<number> = row,
): UnitExplanation {
  const F = model.nFeatures;
  if (sources.length !== F) {
    throw new PrognosError('INVALID_INPUT', `Expected a source for each of the ${F} model features, got ${sources.length}.`);
  }
  if (values.length < F) throw new PrognosError('INVALID_INPUT', `Expected ${F} feature values, got ${values.length}.`);
  if (!Number.isInteger(top) || top < 0) throw new PrognosError('INVALID_INPUT', `Invalid number of contributors ${top}.`);
  const { bias, contributions: phi } = treeShap(model, row);
  const order = Array.from({ length: F }, (_, i) => i).sort((a, b) => Math.abs(phi[b]!) - Math.abs(phi[a]!) || a - b);
  const contributions: ReportContribution[] = order.slice(0, top).map((f) => ({
    feature: model.featureNames[f]!,
    source: sources[f]!,
    value: values[f]!,
    contribution: phi[f]!,
  }));
  const sums = new Map<string, number>();
  for (let f = 0; f < F; f++) sums.set(sources[f]!, (sums.get(sources[f]!) ?? 0) + phi[f]!);
  // ties keep the order of first appearance in the model's features (Array.prototype.sort is stable)
  const bySource = [...sums.entries()]
    .map(([source, contribution]) => ({ source, contribution }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { bias, contributions, sources: bySource };
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The bundle's GBDT (the risk classifier, or with `which: 'rul'` the RUL regression GBDT) from its
 * XGBoost JSON file, checked against the manifest: the file's sha256 and its feature names, which
 * must be the manifest's `selectedFeatures` (`rul.features` for the RUL model) in that order.
 */
export function gbdtFromBundleFiles(
  manifest: BundleManifest,
  files: ReadonlyMap<string, Uint8Array>,
  which: 'risk' | 'rul' = 'risk',
): GbdtModel {
  let entry: ModelFileEntry;
  let names: readonly string[];
  if (which === 'rul') {
    if (manifest.rul === undefined) throw new PrognosError('INVALID_INPUT', 'The bundle has no RUL model.');
    entry = manifest.rul.files.gbdtXgboost;
    names = manifest.rul.features;
  } else {
    entry = manifest.models.gbdtXgboost;
    names = manifest.selectedFeatures;
  }
  const file = entry.file;
  const bytes = files.get(file);
  if (bytes === undefined) throw badFile([{ file, reason: 'missing from the bundle' }]);
  if (sha256Hex(bytes) !== entry.sha256) {
    throw badFile([{ file, reason: 'sha256 differs from the manifest (the file was changed after export)' }]);
  }
  let text: string;
  try {
    text = textDecoder.decode(bytes);
  } catch {
    throw badFile([{ file, reason: 'not UTF-8 text' }]);
  }
  let model: GbdtModel;
  try {
    model = GbdtModel.fromXGBoostJson(text);
  } catch (e) {
    if (e instanceof PrognosError) throw badFile([{ file, reason: e.message }]);
    throw e;
  }
  const got = model.featureNames;
  if (got.length !== names.length || got.some((n, i) => n !== names[i])) {
    const i = got.findIndex((n, k) => n !== names[k]);
    const at = i < 0 ? `${got.length} features, the manifest lists ${names.length}` : `feature ${i + 1} is "${got[i] ?? ''}", the manifest says "${names[i] ?? ''}"`;
    throw badFile([{ file, reason: `feature names differ from the manifest's ${which === 'rul' ? 'rul.features' : 'selectedFeatures'}: ${at}` }]);
  }
  return model;
}
