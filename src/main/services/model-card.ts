/** The Export view's model card, from a bundle's manifest. */
import type { ModelCard } from '../../shared/model-card';
import type { BundleManifest } from '../core/export/manifest';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function calibrationText(m: BundleManifest): string {
  const c = m.calibration;
  if (c === undefined || c.method === 'none') return 'none';
  return c.method === 'platt' ? 'Platt scaling on the validation units' : 'isotonic regression on the validation units';
}

export function modelCardOf(bundleId: string, m: BundleManifest): ModelCard {
  const metrics: ModelCard['metrics'] = [];
  for (const [model, perSplit] of Object.entries(m.metrics)) {
    if (!isRecord(perSplit)) continue;
    for (const [split, v] of Object.entries(perSplit)) {
      if (!isRecord(v)) continue;
      metrics.push({
        model,
        split,
        f2: num(v.f2),
        precision: num(v.precision),
        recall: num(v.recall),
        rocAuc: num(v.rocAuc),
        n: num(v.n),
      });
    }
  }
  const models: ModelCard['models'] = [];
  for (const [key, f] of Object.entries(m.models)) {
    if (!isRecord(f) || typeof f.file !== 'string') continue;
    models.push({
      key,
      file: f.file,
      format: typeof f.format === 'string' ? f.format : '',
      description: typeof f.description === 'string' ? f.description : '',
    });
  }
  return {
    bundleId,
    runId: m.runId,
    created: m.created,
    appVersion: m.appVersion,
    datasetName: m.dataset.name ?? null,
    label: { window: m.label.window, definition: m.label.definition },
    alert: m.alert,
    threshold: m.threshold,
    ensemble: { weight: m.ensemble.weight, formula: m.ensemble.formula },
    calibration: calibrationText(m),
    models,
    inputs: m.rawInput.columns.map((c) => ({
      column: c.name,
      original: c.original,
      role: c.role,
      unit: c.unit ?? '',
      description: c.description ?? '',
      used: c.usedByPipeline,
    })),
    windowLength: m.windowLength,
    requiresFullHistory: m.pipeline?.requiresFullHistory ?? false,
    features: m.selectedFeatureDefs.map((d) => ({ name: d.name, formula: d.formula })),
    metrics,
    rul: m.rul === undefined ? null : { cap: m.rul.cap, coverage: m.rul.interval.coverage },
    training: { backend: m.training.backend, seed: m.training.seed },
  };
}
