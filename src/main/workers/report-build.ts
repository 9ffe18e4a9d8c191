/**
 * The report worker's work up to the document: read the fleet (a shared table, or a file parsed
 * here), open the model (a run's engines or a verified bundle's ONNX models), score every unit at its
 * last cycle with the same functions `prognos predict` and the Fleet view use, score the panel units
 * over all their cycles, explain their last rows, take their raw sensor trends, and assemble.
 */
import { completeCatalogue } from '../../shared/sensor-catalogue';
import { createHash } from 'node:crypto';
import { PrognosError } from '../../shared/errors';
import type { ReportDocument, ReportFile, ReportHealth } from '../../shared/report';
import { parseFleetFile } from '../core/data/import-file';
import { detectRegimes } from '../core/data/regimes';
import { pickUnits, rowRange, unitSpans, type FleetTable, type UnitSpan } from '../core/data/table';
import { BundleScorer, readBundle, type BundleManifest, type BundleTrust, type UnitScore } from '../core/export';
import { MANIFEST_FILE } from '../core/export/manifest';
import { engineerFeatures, type FeatureState } from '../core/features/engineer';
import type { GbdtModel } from '../core/models/gbdt';
import { scoreRows } from '../core/pipeline/train';
import type { ScoredUnitInput } from '../core/report/actions';
import { assembleReport, panelUnits, actionRows, unitDigest, type PanelExtras } from '../core/report/assemble';
import { explainUnit, featureSources, gbdtFromBundleFiles, type UnitExplanation } from '../core/report/explain';
import { healthFromManifest, healthFromRunResult } from '../core/report/health';
import type { UnitDigest } from '../core/report/previous';
import { dataQualityNotes } from '../core/report/quality';
import type { WorkerTask } from './job-protocol';
import { fromWire } from './import-protocol';
import type { ReportWorkerRequest } from './report-protocol';
import { buildTrained, releaseTrained, type TrainedRun } from './trained-run';

/** units scored between two looks at the cancel flag (as the scoring worker does, so the numbers are the same) */
const CHUNK_UNITS = 50;

export interface BuiltReport {
  readonly doc: ReportDocument;
  readonly digest: UnitDigest[];
  readonly fingerprint: string;
  readonly runId: string;
  readonly bundleSha256: string | null;
}

interface Fleet {
  table: FleetTable;
  fingerprint: string;
  dataFile: string;
  rulFile: string | null;
}

/** What scoring needs of the model, whichever its kind. */
interface OpenModel {
  readonly describe: ReportDocument['model'];
  readonly rule: ReportDocument['rule'];
  readonly health: Pick<ReportHealth, 'metrics' | 'rul' | 'calibration'>;
  readonly featureState: FeatureState;
  readonly windowLength: number;
  readonly files: ReportFile[];
  /** every unit of `part` at its last cycle */
  scoreUnits(part: FleetTable): Promise<UnitScore[]>;
  /** the ensemble (calibrated) probability at every row of `table` */
  series(table: FleetTable): Promise<ArrayLike<number>>;
  /** TreeSHAP of the GBDT at the last row of `unit` (a table of one unit) */
  explain(unit: FleetTable, top: number): UnitExplanation;
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function readFleet(req: ReportWorkerRequest, task: WorkerTask): Promise<Fleet> {
  const f = req.fleet;
  if (f.kind === 'dataset') return { table: fromWire(f.table), fingerprint: f.fingerprint, dataFile: f.fileName, rulFile: f.rulFileName };
  const parsed = await parseFleetFile(f.path, {
    displayName: f.displayName,
    ...(f.rulPath === undefined ? {} : { rulPath: f.rulPath, rulDisplayName: f.rulDisplayName ?? f.rulPath }),
    signal: task.signal,
    onProgress: (x) => task.progress(0.02 + 0.08 * x, `Reading ${f.displayName}…`),
  }).catch((e: unknown) => {
    throw e instanceof PrognosError && e.code === 'CANCELLED' ? new PrognosError('CANCELLED', 'Report cancelled.') : e;
  });
  return { table: parsed.table, fingerprint: parsed.fingerprint, dataFile: f.displayName, rulFile: f.rulPath === undefined ? null : (f.rulDisplayName ?? null) };
}

/** The raw columns the model reads: its sensors and, with regime normalisation, its settings. */
export function requiredColumns(state: FeatureState): string[] {
  return [...new Set([...(state.regime?.settings ?? []), ...state.sensors])];
}

/** Refuses a fleet without a column the model reads, naming the file and every missing column. */
export function checkColumns(table: FleetTable, state: FeatureState, file: string, model: string): void {
  const have = new Set(table.columns.map((c) => c.name));
  const missing = requiredColumns(state).filter((c) => !have.has(c));
  if (missing.length === 0) return;
  const reason = `the data has no column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which ${model} reads (it has ${table.columns.map((c) => c.name).join(', ') || 'none besides unit and cycle'})`;
  throw new PrognosError('BAD_FILE', `${file}: ${reason}.`, { issues: [{ file, reason }] });
}


/** The engineered features `names` at the last row of a one-unit table, in that order (float32, as the GBDT reads them). */
function lastRow(unit: FleetTable, state: FeatureState, names: readonly string[]): Float32Array {
  const f = engineerFeatures(unit, state.spec, { state });
  const index = new Map(f.names.map((n, i) => [n, i]));
  const last = unit.rowCount - 1;
  return Float32Array.from(names, (n) => {
    const i = index.get(n);
    if (i === undefined) throw new PrognosError('INTERNAL', `the feature recipe does not produce ${n}`);
    return f.columns[i]![last]!;
  });
}

function explainWith(model: GbdtModel, state: FeatureState, sources: readonly string[], scale: ((row: Float32Array) => Float32Array) | null) {
  return (unit: FleetTable, top: number): UnitExplanation => {
    const values = lastRow(unit, state, model.featureNames);
    return explainUnit(model, scale === null ? values : scale(values), sources, top, values);
  };
}

function runModels(t: TrainedRun): string[] {
  return ['gbdt', ...(t.lstm === undefined ? [] : ['lstm']), ...(t.rul === undefined ? [] : ['rul-gbdt', ...(t.rul.lstm === undefined ? [] : ['rul-lstm'])])];
}

async function openRun(src: Extract<ReportWorkerRequest['model'], { kind: 'run' }>): Promise<OpenModel> {
  const trained = await buildTrained(src.artifacts);
  const result = src.artifacts.record.result as { units?: { train?: number } } | null;
  return {
    describe: {
      kind: 'run',
      id: src.runId,
      models: runModels(trained),
      features: trained.selected.length,
      trainedOn: { fingerprint: src.artifacts.record.datasetFingerprint, units: result?.units?.train ?? null },
      createdAt: src.artifacts.record.createdAt,
    },
    rule: {
      threshold: trained.threshold,
      horizon: trained.config.labelWindow,
      rulCap: trained.rul?.cap ?? null,
      rulCoverage: trained.rul?.interval.coverage ?? null,
    },
    health: healthFromRunResult(src.artifacts.record.result),
    featureState: trained.featureState,
    windowLength: trained.config.historyWindow,
    files: [],
    scoreUnits(part) {
      // exactly what the scoring worker does for `prognos predict --run` and the Fleet view
      const spans = unitSpans(part);
      const p = scoreRows(part, trained, Int32Array.from(spans, (s) => s.end - 1));
      return Promise.resolve(
        spans.map((s, k) => {
          const probability = p.probability[k]!;
          const gbdt = p.gbdt[k]!;
          const rul = p.rul === undefined ? {} : { rul: p.rul.value[k]!, rulLow: p.rul.low[k]!, rulHigh: p.rul.high[k]! };
          return { unit: s.unit, cycle: part.cycle[s.end - 1]!, probability, parts: p.lstm === undefined ? { gbdt } : { gbdt, lstm: p.lstm[k]! }, alert: probability >= trained.threshold, ...rul };
        }),
      );
    },
    series(table) {
      return Promise.resolve(scoreRows(table, trained, Int32Array.from({ length: table.rowCount }, (_, i) => i)).probability);
    },
    // the run's GBDT reads the engineered features as computed
    explain: explainWith(trained.gbdt, trained.featureState, featureSources(trained.featureState, trained.gbdt.featureNames), null),
    close() {
      releaseTrained(trained);
      return Promise.resolve();
    },
  };
}

function bundleModels(m: BundleManifest): string[] {
  return ['gbdt', ...(m.models.lstm === undefined ? [] : ['lstm']), ...(m.rul === undefined ? [] : ['rul-gbdt', ...(m.rul.files.lstm === undefined ? [] : ['rul-lstm'])])];
}

function signatureOf(t: BundleTrust): NonNullable<ReportDocument['model']['signature']> {
  return { verdict: t.verdict, text: t.summary };
}

async function openBundle(src: Extract<ReportWorkerRequest['model'], { kind: 'bundle' }>): Promise<OpenModel> {
  const trust = { trustedKeys: src.trust.trustedKeys, requireTrusted: src.trust.requireTrusted };
  // verified here (checksums, signature under the trust policy); a bundle that fails is refused with BAD_FILE
  const bundle = await readBundle(src.path, trust);
  const m = bundle.manifest;
  const manifestBytes = bundle.files.get(MANIFEST_FILE)!;
  const bundleSha256 = sha256(manifestBytes);
  const scorer = await BundleScorer.open(src.path, trust);
  const gbdt = gbdtFromBundleFiles(m, bundle.files);
  const state: FeatureState = { spec: m.features.spec, sensors: [...m.features.sensors], droppedSensors: [...m.features.droppedSensors], ...(m.features.regime === undefined ? {} : { regime: m.features.regime }) };
  const scaler = m.scaler;
  // (x − mean) / std in float64, stored as float32: what the bundle's scorer feeds gbdt.onnx when it reads scaled features
  const scale =
    m.gbdtInput === 'scaled' && scaler !== null
      ? (row: Float32Array): Float32Array =>
          Float32Array.from(row, (x, c) => {
            const i = scaler.names.indexOf(gbdt.featureNames[c]!);
            if (i < 0) throw new PrognosError('BAD_FILE', `manifest.json: the scaler has no parameters for ${gbdt.featureNames[c]!}`);
            return (x - scaler.mean[i]!) / scaler.std[i]!;
          })
      : null;
  return {
    describe: {
      kind: 'bundle',
      id: m.runId,
      bundleSha256,
      signature: signatureOf(scorer.trust),
      models: bundleModels(m),
      features: m.selectedFeatures.length,
      trainedOn: { fingerprint: m.dataset.fingerprint, units: m.training.units?.train ?? null },
      createdAt: m.created,
    },
    rule: { threshold: m.threshold, horizon: m.label.window, rulCap: m.rul?.cap ?? null, rulCoverage: m.rul?.interval.coverage ?? null },
    health: healthFromManifest(m),
    featureState: state,
    windowLength: m.windowLength,
    files: [{ role: 'bundle', name: MANIFEST_FILE, sha256: bundleSha256, bytes: manifestBytes.byteLength }],
    scoreUnits: (part) => scorer.scoreUnits(part),
    series: async (table) => (await scorer.scoreRows(table)).probability,
    explain: explainWith(gbdt, state, featureSources(m.features.definitions, gbdt.featureNames), scale),
    close: () => scorer.close(),
  };
}

function trendsOf(table: FleetTable, span: UnitSpan, sources: readonly string[], max: number): PanelExtras['trends'] {
  const trends: PanelExtras['trends'] = [];
  for (const name of sources) {
    if (trends.length >= max) break;
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) continue;
    trends.push({ sensor: name, cycle: Array.from(table.cycle.subarray(span.start, span.end)), values: Array.from(table.values[i]!.subarray(span.start, span.end)) });
  }
  return trends;
}

export async function buildReport(req: ReportWorkerRequest, task: WorkerTask): Promise<BuiltReport> {
  const cancelled = (): void => {
    if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Report cancelled.');
  };
  task.progress(0.01, 'Reading the fleet…');
  const fleet = await readFleet(req, task);
  cancelled();
  task.progress(0.1, 'Opening the model…');
  const model = req.model.kind === 'run' ? await openRun(req.model) : await openBundle(req.model);
  try {
    cancelled();
    const { table } = fleet;
    const modelName = req.model.kind === 'run' ? `run ${req.model.runId}` : `the bundle's model (run ${model.describe.id})`;
    checkColumns(table, model.featureState, fleet.dataFile, modelName);
    const spans = unitSpans(table);
    if (spans.length === 0) throw new PrognosError('BAD_FILE', `${fleet.dataFile}: no units to report on.`, { issues: [{ file: fleet.dataFile, reason: 'no rows' }] });

    // every unit at its last cycle, in blocks of units (every feature is computed within a unit)
    const scored: ScoredUnitInput[] = [];
    for (let a = 0; a < spans.length; a += CHUNK_UNITS) {
      cancelled();
      const b = Math.min(spans.length, a + CHUNK_UNITS);
      const part = rowRange(table, spans[a]!.start, spans[b - 1]!.end);
      for (const u of await model.scoreUnits(part)) {
        const trueRul = table.rulAtEnd?.get(u.unit);
        scored.push({
          unit: u.unit,
          probability: u.probability,
          alert: u.alert,
          lastCycle: u.cycle,
          ...(u.rul === undefined ? {} : { rul: u.rul }),
          ...(u.rulLow === undefined ? {} : { rulLow: u.rulLow }),
          ...(u.rulHigh === undefined ? {} : { rulHigh: u.rulHigh }),
          ...(trueRul === undefined ? {} : { trueRul }),
        });
      }
      task.progress(0.12 + 0.4 * (b / spans.length), `Scored ${b} of ${spans.length} units…`);
    }
    cancelled();

    // the panels: risk over every cycle, contributions at the last row, raw trends
    const template = req.template;
    const rule = model.rule;
    const chosen = panelUnits(actionRows(scored, template, rule), template.topN);
    const spanOf = new Map(spans.map((s) => [s.unit, s]));
    const panels = new Map<number, PanelExtras>();
    for (const [k, row] of chosen.entries()) {
      cancelled();
      const span = spanOf.get(row.unit)!;
      const one = pickUnits(table, [span]);
      const probability = await model.series(one);
      const why = model.explain(one, template.topContributors);
      panels.set(row.unit, {
        risk: { cycle: Array.from(one.cycle), probability: Array.from(probability) },
        bias: why.bias,
        contributions: why.contributions,
        sources: why.sources,
        // the raw columns behind the largest contributions (the regime source is no column and has no trend)
        trends: trendsOf(table, span, why.sources.map((x) => x.source), template.trendCharts),
      });
      task.progress(0.52 + 0.3 * ((k + 1) / chosen.length), `Unit panels: ${k + 1} of ${chosen.length}…`);
    }
    cancelled();

    const dataName = fleet.dataFile;
    const doc = assembleReport({
      // the dataset's catalogue, else the default from the columns (the C-MAPSS preset for C-MAPSS data), for a file too
      sensors: completeCatalogue(table.columns, req.fleet.kind === 'dataset' ? (req.fleet.sensors ?? null) : null),
      template,
      templateSha256: req.templateSha256,
      ...(req.title === undefined ? {} : { title: req.title }),
      ...(req.notes === undefined ? {} : { notes: req.notes }),
      createdAt: req.createdAt,
      appVersion: req.appVersion,
      fleet: {
        name: req.fleetName,
        units: spans.length,
        rows: table.rowCount,
        fingerprint: fleet.fingerprint,
        regimes: detectRegimes(table).k,
        dataFile: dataName,
        rulFile: fleet.rulFile,
      },
      model: model.describe,
      rule,
      units: scored,
      panels,
      previous: req.previous === null ? null : { record: req.previous.record, units: req.previous.units },
      // the notes come from the table itself, so a dataset and the file it was imported from give the
      // same notes (the dataset's import notes in `req.fleet.quality` say nothing these do not)
      health: { ...model.health, ...(req.drift === null ? {} : { drift: req.drift }), quality: dataQualityNotes(table, model.windowLength) },
      files: model.files,
    });
    return {
      doc,
      digest: unitDigest(doc.actions),
      fingerprint: fleet.fingerprint,
      runId: model.describe.id,
      bundleSha256: model.describe.bundleSha256 ?? null,
    };
  } finally {
    await model.close();
  }
}
