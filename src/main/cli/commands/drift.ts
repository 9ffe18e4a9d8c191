/**
 * `prognos drift`: compares current data with a run's (or a bundle's) reference, stores the report
 * and prints it; `prognos drift --list` prints the stored history.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import {
  DRIFT_METHODS,
  driftMethodChoiceSchema,
  driftThresholdsSchema,
  type ChunkSeries,
  type ColumnDrift,
  type DriftMethod,
  type DriftMethodChoice,
  type DriftReport,
  type DriftReportSummary,
  type DriftThresholds,
} from '../../../shared/drift';
import { catalogueOfIds, SensorLabels } from '../../../shared/sensor-catalogue';
import type { AppServices } from '../../services/app-services';
import type { DriftJobInput, DriftSourceInput } from '../../services/drift';
import { countOption, intOption, parseCommandArgs } from '../args';
import { openServices } from '../context';
import { waitForJob } from '../wait-for-job';
import { table, type Output } from '../output';

const bad = (message: string): PrognosError => new PrognosError('INVALID_INPUT', message);

const METHOD_WORDS: Record<DriftMethod, string> = {
  psi: 'PSI',
  ks: 'KS D',
  wasserstein: 'Wasserstein (÷ ref. std)',
  jsd: 'Jensen–Shannon',
  hellinger: 'Hellinger',
};

function methodOption(value: string | undefined): DriftMethodChoice | undefined {
  if (value === undefined) return undefined;
  const r = driftMethodChoiceSchema.safeParse(value.trim().toLowerCase());
  if (!r.success) throw bad(`--method must be one of auto, ${DRIFT_METHODS.join(', ')}; got "${value}".`);
  return r.data;
}

/** A number in the range its method allows (KS: a p-value in (0, 1); JSD and Hellinger in (0, 1]; PSI and Wasserstein above 0). */
function thresholdOption(value: string | undefined, method: DriftMethodChoice | undefined): Partial<DriftThresholds> | undefined {
  if (value === undefined) return undefined;
  if (method === undefined || method === 'auto') throw bad('--threshold sets the threshold of one method: give --method psi|ks|wasserstein|jsd|hellinger with it.');
  const text = value.trim();
  const x = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(x)) throw bad(`--threshold must be a number, got "${value}".`);
  const r = driftThresholdsSchema.shape[method].safeParse(x);
  if (!r.success) {
    const range = method === 'ks' ? 'a p-value between 0 and 1 (exclusive)' : method === 'psi' || method === 'wasserstein' ? 'above 0' : 'above 0 and at most 1';
    throw bad(`--threshold for ${method} must be ${range}, got ${x}.`);
  }
  return { [method]: x };
}

function shareOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(x > 0 && x <= 1)) throw bad(`--share must be a fraction above 0 and at most 1 (the share of features that must drift), got "${value}".`);
  return x;
}

/** `--bundle` names a bundle folder or .zip, or a bundle of the library by id (`store:…`, `shipped:…`). */
function bundleSource(services: AppServices, ref: string): DriftSourceInput {
  const path = resolve(ref);
  if (existsSync(path)) return { bundlePath: path };
  try {
    services.exports.bundlePath(ref);
    return { bundleId: ref };
  } catch {
    throw new PrognosError('NOT_FOUND', `--bundle ${ref}: no such bundle folder or .zip, and no bundle with that id in the store.`);
  }
}

const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const pValue = (p: number | undefined): string => (p === undefined ? '—' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

function columnRows(cols: readonly ColumnDrift[], limit: number, labels: SensorLabels): (string | number)[][] {
  // drifted first, then by effect size (the method's own score; for KS the statistic D)
  const sorted = [...cols].sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.score - a.score);
  return sorted.slice(0, limit).map((c) => [
    c.drifted ? 'DRIFT' : '',
    labels.featureWithUnit(c.name),
    c.name,
    c.method,
    num(c.score),
    c.method === 'ks' ? `p < ${c.threshold}` : `≥ ${c.threshold}`,
    num(c.scores.psi),
    num(c.scores.ks),
    pValue(c.scores.ksPValue),
    num(c.scores.wasserstein),
    num(c.scores.jsd),
    num(c.scores.hellinger),
  ]);
}

const COLUMN_HEADER = ['', 'column', 'id', 'method', 'score', 'drift when', 'PSI', 'KS D', 'KS p', 'Wass.', 'JSD', 'Hell.'];

const idLabels = (r: DriftReport): SensorLabels => new SensorLabels(catalogueOfIds((r.settings ?? []).map((c) => c.name), r.sensors.map((c) => c.name)));

/**
 * The names a report's columns are shown with: the current dataset's sensor catalogue when it is in
 * the store, else (a file) the defaults of its column ids, as the Drift view and reports show them.
 */
function reportLabels(services: AppServices, r: DriftReport): SensorLabels {
  if (r.current.kind === 'dataset' && services.store.getDataset(r.current.id) !== undefined) return new SensorLabels(services.mappings.catalogueOf(r.current.id));
  return idLabels(r);
}

/**
 * The report for a person: the verdicts, then the features most drifted first, effect sizes with
 * p-values beside; each column by its display name and unit, its id beside (the id is what --json holds).
 */
export function driftText(r: DriftReport, top = 20, labels = idLabels(r)): string {
  const drifted = r.features.filter((f) => f.drifted).length;
  const e = r.estimated;
  const mv = r.multivariate;
  const p = r.prediction;
  const lines = [
    `Drift report ${r.reportId}: ${r.current.label} (${r.current.rows.toLocaleString('en-US')} rows, ${r.current.units} units) against ${r.source.label} (${r.reference.label}, ${r.reference.rows.toLocaleString('en-US')} rows).`,
    `Comparison: ${r.comparison === 'matched' ? 'life-stage matched' : 'unmatched'}; method ${r.method}${r.method === 'auto' ? ' (KS when a side has ≤ 1,000 values, else Wasserstein)' : ''}.`,
    '',
    `Dataset drift: ${r.datasetDrift ? 'YES' : 'no'} — ${drifted} of ${r.features.length} features drift (${(r.driftedShare * 100).toFixed(1)} %; drift when ≥ ${(r.datasetDriftShare * 100).toFixed(0)} %).`,
    `Multivariate: PCA reconstruction error ${num(mv.pca)} (reference ${num(mv.pcaReference)}, alert above ${num(mv.pcaUpper)})${mv.pcaDrifted ? ' DRIFT' : ''}; domain classifier ROC-AUC ${num(mv.domainAuc)} (drift at ≥ ${num(mv.domainThreshold, 2)})${mv.domainDrifted ? ' DRIFT' : ''}.`,
    `Prediction drift: ${METHOD_WORDS[p.method]} ${num(p.score)} (${p.method === 'ks' ? `p ${pValue(p.scores.ksPValue)}` : `threshold ${p.threshold}`})${p.drifted ? ' DRIFT' : ''}` +
      (p.rul === undefined ? '.' : `; RUL ${METHOD_WORDS[p.rul.method]} ${num(p.rul.score)}${p.rul.drifted ? ' DRIFT' : ''}.`),
    `Estimated performance (no labels, threshold ${num(e.threshold, 4)}): F2 ${num(e.f2)} [${num(e.low.f2)}–${num(e.high.f2)}], precision ${num(e.precision)}, recall ${num(e.recall)}, ROC-AUC ${num(e.rocAuc)} (${Math.round(e.level * 100)} % band).`,
    ...(r.realised === undefined ? [] : [`Realised (labels given): F2 ${num(r.realised.f2)}, precision ${num(r.realised.precision)}, recall ${num(r.realised.recall)}, ROC-AUC ${num(r.realised.rocAuc)}.`]),
    '',
    `Features (${r.features.length}; drifted first, then by effect size${r.features.length > top ? `; the first ${top}` : ''}):`,
    table(columnRows(r.features, top, labels), COLUMN_HEADER),
  ];
  const sensorsDrifted = r.sensors.filter((s) => s.drifted);
  if (r.sensors.length > 0) {
    lines.push('', `${r.settings === undefined ? 'Raw sensors and settings' : 'Raw sensors'}: ${sensorsDrifted.length} of ${r.sensors.length} drift${sensorsDrifted.length === 0 ? '.' : ':'}`);
    if (sensorsDrifted.length > 0) lines.push(table(columnRows(sensorsDrifted, top, labels), COLUMN_HEADER));
  }
  // settings apart: a shift there is a change of operating conditions, not a drifting sensor
  const settings = r.settings ?? [];
  if (settings.length > 0) {
    const moved = settings.filter((s) => s.drifted);
    lines.push('', `Operating settings (the conditions units ran under, not sensors; not counted in the dataset drift): ${moved.length} of ${settings.length} shifted${moved.length === 0 ? '.' : ':'}`);
    if (moved.length > 0) lines.push(table(columnRows(moved, top, labels), COLUMN_HEADER));
  }
  const alerts = r.chunks.series.filter((s) => s.alerts.some(Boolean));
  // a feature's series by its display name: `s11_mean_5 (ks)` → `Ps30 mean (5 cycles) (ks)`
  const seriesLabel = (s: ChunkSeries): string => {
    const name = s.key.startsWith('feature:') ? s.key.slice('feature:'.length) : null;
    return name !== null && s.label.startsWith(name) ? `${labels.feature(name)}${s.label.slice(name.length)}` : s.label;
  };
  lines.push('', `Chunks: ${r.chunks.labels.length} of ${r.chunking.size} ${r.chunking.by === 'batches' ? 'batch(es)' : r.chunking.by}` + (alerts.length === 0 ? '; no chunk outside its band.' : `; outside the band: ${alerts.map((s) => `${seriesLabel(s)} (${s.alerts.filter(Boolean).length})`).join(', ')}.`));
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `Note: ${n}`));
  return lines.join('\n');
}

function historyText(list: readonly DriftReportSummary[]): string {
  if (list.length === 0) return 'No drift reports yet. Make one with `prognos drift --run R --data FILE`.';
  return table(
    list.map((h) => [h.reportId, h.createdAt.slice(0, 19).replace('T', ' '), `${h.source.kind} ${h.source.id}`, h.current.label, h.comparison, h.method, h.datasetDrift ? 'YES' : 'no', num(h.driftedShare), num(h.estimatedF2), num(h.domainAuc)]),
    ['report', 'created', 'reference', 'current', 'comparison', 'method', 'drift', 'share', 'est. F2', 'domain AUC'],
  );
}

export async function driftCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    run: { type: 'string' },
    bundle: { type: 'string' },
    data: { type: 'string' },
    rul: { type: 'string' },
    method: { type: 'string' },
    threshold: { type: 'string' },
    share: { type: 'string' },
    chunk: { type: 'string' },
    'chunk-by': { type: 'string' },
    matched: { type: 'boolean', default: false },
    unmatched: { type: 'boolean', default: false },
    'run-to-failure': { type: 'boolean', default: false },
    'in-service': { type: 'boolean', default: false },
    seed: { type: 'string' },
    'require-signed': { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    top: { type: 'string' },
  });
  if (positionals.length > 0) throw bad(`Unexpected argument "${positionals[0]}". Usage: prognos drift (--run R | --bundle B) --data FILE [options]`);
  if (values.run !== undefined && values.bundle !== undefined) throw bad('Give either --run R or --bundle B, not both.');
  if (values.run === '' || values.bundle === '') throw bad(`--${values.run === '' ? 'run' : 'bundle'} needs a value.`);

  if (values.list) {
    for (const o of ['data', 'rul', 'method', 'threshold', 'share', 'chunk', 'chunk-by', 'seed'] as const) if (values[o] !== undefined) throw bad(`--list shows the stored history; --${o} does not go with it.`);
    const services = openServices(values.store);
    try {
      const bundle = values.bundle;
      const filter = values.run !== undefined ? { runId: values.run } : bundle !== undefined ? { bundleId: existsSync(resolve(bundle)) ? `file:${basename(resolve(bundle))}` : bundle } : {};
      if (values.run !== undefined && services.store.getRun(values.run) === undefined) throw new PrognosError('NOT_FOUND', `--run: no run ${values.run}.`);
      const list = services.drift.list(filter);
      out.result(list, () => historyText(list));
    } finally {
      await services.close();
    }
    return;
  }

  if (values.run === undefined && values.bundle === undefined) throw bad('Give either --run R or --bundle B (the reference to compare with).');
  if (values.data === undefined || values.data === '') throw bad('--data is required: the current data, a file or a dataset id.');
  if (values.matched && values.unmatched) throw bad('Give --matched or --unmatched, not both.');
  if (values['run-to-failure'] && values['in-service']) throw bad('Give --run-to-failure or --in-service, not both.');
  if ((values['run-to-failure'] || values['in-service']) && values.rul !== undefined) throw bad(`--${values['run-to-failure'] ? 'run-to-failure' : 'in-service'} is for data without a RUL file; --rul already says how long each unit lived.`);
  if (values['require-signed'] && values.bundle === undefined) throw bad('--require-signed goes with --bundle (a run in the store is not signed).');
  const method = methodOption(values.method);
  const thresholds = thresholdOption(values.threshold, method);
  const datasetDriftShare = shareOption(values.share);
  const chunkBy = values['chunk-by'] ?? 'rows';
  if (chunkBy !== 'rows' && chunkBy !== 'cycles' && chunkBy !== 'batches') throw bad(`--chunk-by must be rows, cycles or batches, got "${chunkBy}".`);
  if (values['chunk-by'] !== undefined && values.chunk === undefined && chunkBy !== 'batches') throw bad('--chunk-by needs --chunk N (rows or cycles per chunk).');
  const chunkSize = values.chunk === undefined ? (chunkBy === 'batches' ? 1 : undefined) : countOption(values.chunk, 'chunk');
  const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed');
  const top = countOption(values.top, 'top', 20);

  const services = openServices(values.store);
  try {
    // --data: a dataset of the store by id, else a file (parsed in the worker, never imported)
    const dataRef = values.data;
    let current: DriftJobInput['current'];
    if (services.store.getDataset(dataRef) !== undefined) {
      if (values.rul !== undefined) throw bad(`--rul goes with a file; dataset ${dataRef} carries the RUL file it was imported with.`);
      current = { datasetId: dataRef };
    } else {
      const path = resolve(dataRef);
      if (!existsSync(path) || !statSync(path).isFile()) throw new PrognosError('NOT_FOUND', `--data ${dataRef}: no such file and no dataset with that id.`);
      let rul: string | undefined;
      if (values.rul !== undefined) {
        rul = resolve(values.rul);
        if (!existsSync(rul) || !statSync(rul).isFile()) throw new PrognosError('NOT_FOUND', `--rul ${values.rul}: no such file.`);
      }
      current = rul === undefined ? { file: path } : { file: path, rul };
    }
    const source: DriftSourceInput = values.run !== undefined ? { runId: values.run } : bundleSource(services, values.bundle!);
    const input: DriftJobInput = {
      source,
      current,
      ...(method === undefined ? {} : { method }),
      ...(thresholds === undefined ? {} : { thresholds }),
      ...(datasetDriftShare === undefined ? {} : { datasetDriftShare }),
      ...(values.matched ? { comparison: 'matched' as const } : values.unmatched ? { comparison: 'unmatched' as const } : {}),
      ...(values['run-to-failure'] ? { lives: 'run-to-failure' as const } : values['in-service'] ? { lives: 'in-service' as const } : {}),
      ...(chunkSize === undefined ? {} : { chunking: { by: chunkBy, size: chunkSize } }),
      ...(seed === undefined ? {} : { seed }),
      ...(values['require-signed'] ? { requireSigned: true } : {}),
    };
    const { jobId } = await services.drift.start(input);
    out.note(`Comparing ${basename(dataRef)} with ${'runId' in source ? `run ${source.runId}` : `bundle ${values.bundle}`}…`);
    const finished = await waitForJob(services, jobId, out);
    const result = finished.result;
    if (result === undefined || !('reportId' in result)) throw new PrognosError('INTERNAL', 'the drift job finished without a report');
    const report = services.drift.get(result.reportId);
    const labels = reportLabels(services, report);
    out.result(report, () => driftText(report, top, labels));
  } finally {
    await services.close();
  }
}
