import { existsSync, readFileSync, statSync, createWriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { once } from 'node:events';
import { PrognosError } from '../../../shared/errors';
import type { CalibrationReport } from '../../../shared/calibration';
import type { DatasetRecord, FeatureRanking, MetricsValue } from '../../../shared/schemas';
import { DATASET_ROLE_LABELS } from '../../../shared/housekeeping';
import { parseTrainConfig, type TrainConfig } from '../../core/pipeline/config';
import { prepareFeatures } from '../../core/pipeline/train';
import type { RulRunResult } from '../../core/pipeline/saved-run';
import type { RulMetrics } from '../../core/rul/types';
import type { AppServices } from '../../services/app-services';
import { countOption, intOption, parseCommandArgs, requireOption } from '../args';
import { openServices } from '../context';
import { waitForJob } from '../wait-for-job';
import { table, type Output } from '../output';

/** Reads a JSON config file; a bad file is named with the reason. */
function readConfig(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  const path = resolve(file);
  if (!existsSync(path)) throw new PrognosError('NOT_FOUND', `${file}: no such config file.`);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the config must be a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new PrognosError('BAD_FILE', `${basename(path)}: ${(e as Error).message}`, { issues: [{ file: basename(path), reason: (e as Error).message }] });
  }
}

function configFrom(values: { config?: string; seed?: string; models?: string }): TrainConfig {
  const raw = readConfig(values.config);
  if (values.seed !== undefined) raw.seed = intOption(values.seed, 'seed');
  if (values.models !== undefined) {
    const models = values.models.split(',').map((m) => m.trim());
    const unknown = models.filter((m) => m !== 'gbdt' && m !== 'lstm');
    if (unknown.length > 0) throw new PrognosError('INVALID_INPUT', `--models: unknown model ${unknown.join(', ')} (known: gbdt, lstm).`);
    if (!models.includes('gbdt')) throw new PrognosError('INVALID_INPUT', '--models must include gbdt (the LSTM is trained beside it and ensembled with it).');
    raw.models = models;
  }
  return parseTrainConfig(raw);
}

/** `--dataset` takes a dataset id or a file, which is imported first. */
async function resolveDataset(services: AppServices, ref: string, out: Output): Promise<string> {
  if (services.store.getDataset(ref) !== undefined) return ref;
  const path = resolve(ref);
  if (!existsSync(path) || !statSync(path).isFile()) throw new PrognosError('NOT_FOUND', `--dataset ${ref}: no dataset with that id and no such file.`);
  out.note(`Importing ${basename(path)}…`);
  const { jobId } = await services.handlers['datasets:import']({ source: { kind: 'path', path } });
  const finished = await waitForJob(services, jobId, out);
  const r = finished.result;
  if (r === undefined || !('duplicateOf' in r)) throw new Error('import job finished without a dataset');
  return r.dataset.datasetId;
}

type RulBlock = Partial<Record<'gbdt' | 'lstm' | 'ensemble', RulMetrics>>;

function rulLine(label: string, m: RulMetrics | null | undefined): string[] {
  if (m === null || m === undefined) return [];
  return [`${label.padEnd(12)} RUL RMSE ${m.rmse.toFixed(2)}  MAE ${m.mae.toFixed(2)}  PHM08 ${m.phm08.toFixed(1)}  coverage ${m.coverage === null ? '—' : m.coverage.toFixed(3)}  n ${m.n}`];
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toFixed(3));
function metricsLines(label: string, m: (MetricsValue & { ece?: number | null }) | null | undefined): string[] {
  if (m === null || m === undefined) return [];
  return [
    `${label.padEnd(12)} F2 ${pct(m.f2)}  F1 ${pct(m.f1)}  precision ${pct(m.precision)}  recall ${pct(m.recall)}  ROC-AUC ${pct(m.rocAuc)}  PR-AUC ${pct(m.prAuc)}  Brier ${pct(m.brier)}${m.ece === undefined ? '' : `  ECE ${pct(m.ece)}`}`,
    `${''.padEnd(12)} n ${m.n.toLocaleString('en-US')}, positives ${m.positives.toLocaleString('en-US')}; tp ${m.confusion.tp} fp ${m.confusion.fp} tn ${m.confusion.tn} fn ${m.confusion.fn}`,
  ];
}

function calibrationLines(c: CalibrationReport | null): string[] {
  if (c === null) return [];
  const how = c.chosenBy === 'cv' ? `chosen by ${c.folds}-fold cross-validation over the validation units` : 'named by the config';
  return [`calibration of the ${c.model}: ${c.method} (${how}); ECE validation ${pct(c.ece.validation)} (uncalibrated ${pct(c.uncalibrated.ece.validation)}), test ${pct(c.ece.test)} (uncalibrated ${pct(c.uncalibrated.ece.test)})`];
}

/** Training on a dataset that is not a training fleet asks first: here, by needing --force. */
function refuseUnlessTraining(d: DatasetRecord, force: boolean): void {
  if (d.role === 'training' || force) return;
  throw new PrognosError(
    'CONFLICT',
    `--dataset ${d.datasetId}: "${d.name}" is ${d.role === 'unlabeled' ? 'an' : 'a'} ${DATASET_ROLE_LABELS[d.role]}, not a training fleet: its units did not all run to failure, so failure labels counted down to each unit's last row would be wrong. Add --force to train on it anyway, or set its role with \`prognos datasets set-role ${d.datasetId} training\`. Nothing was trained.`,
  );
}

export async function trainCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { dataset: { type: 'string' }, config: { type: 'string' }, models: { type: 'string' }, seed: { type: 'string' }, force: { type: 'boolean', default: false }, experiment: { type: 'string' } });
  const config = configFrom(values);
  const services = openServices(values.store);
  try {
    const datasetId = await resolveDataset(services, requireOption(values.dataset, 'dataset'), out);
    refuseUnlessTraining(services.store.getDataset(datasetId)!, values.force);
    const { jobId, runId } = services.startTraining(datasetId, config, values.experiment);
    out.note(`Run ${runId}: training ${config.models.join(' + ')} on ${services.store.getDataset(datasetId)!.name} (seed ${config.seed})…`);
    await waitForJob(services, jobId, out);
    const d = services.training.detail(runId);
    const r = services.store.getRun(runId)!;
    const result = r.result as { threshold: number; weight: number; thresholds?: Record<string, number>; metrics: Record<string, { validation: MetricsValue; test: MetricsValue | null }>; timings: Record<string, number>; rul?: RulRunResult };
    const rul = result.rul === undefined ? undefined : { cap: result.rul.cap, coverage: result.rul.coverage, weight: result.rul.weight, metrics: result.rul.metrics };
    out.result({ runId, datasetId, experimentId: r.experimentId, threshold: result.threshold, weight: result.weight, thresholds: result.thresholds, metrics: result.metrics, calibration: d.calibration, ...(rul === undefined ? {} : { rul }), timings: result.timings, backend: r.backend, selectedFeatures: d.selected, units: d.units, rows: d.rows }, () =>
      [
        `Run ${runId} done (${Object.values(result.timings).reduce((a, b) => a + b, 0).toFixed(1)} s): ${d.selected.length} features, threshold ${result.threshold.toPrecision(4)} (tuned for F2 on validation)` +
          (result.metrics.ensemble === undefined ? '' : `, ensemble weight ${result.weight.toFixed(2)} on the GBDT`),
        `backend: ${r.backend ?? 'unknown'}`,
        `units train/validation/test ${d.units.train}/${d.units.validation}/${d.units.test}; evaluated on rows with a full ${config.historyWindow}-cycle window`,
        ...Object.entries(result.metrics).flatMap(([model, m]) => [`${model}:`, ...metricsLines('  validation', m.validation), ...metricsLines('  test', m.test)]),
        ...calibrationLines(d.calibration),
        ...(rul === undefined
          ? []
          : [
              `remaining useful life (target min(RUL, ${rul.cap}); ${Math.round(rul.coverage * 100)}% conformal interval; one cut cycle per unit, true RUL uncapped)` +
                (rul.metrics.ensemble === undefined ? '' : `, ensemble weight ${rul.weight.toFixed(2)} on the GBDT`),
              ...Object.entries(rul.metrics).flatMap(([model, m]) => (m === undefined ? [] : [`${model}:`, ...rulLine('  validation', m.validation), ...rulLine('  test', m.test)])),
            ]),
      ].join('\n'),
    );
  } finally {
    await services.close();
  }
}

export async function evaluateCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { run: { type: 'string' }, data: { type: 'string' }, rul: { type: 'string' } });
  const runId = requireOption(values.run, 'run');
  const data = resolve(requireOption(values.data, 'data'));
  const rul = resolve(requireOption(values.rul, 'rul'));
  const services = openServices(values.store);
  try {
    const artifacts = services.training.artifacts(runId);
    // parsing, scoring every cycle and the metrics run in a worker thread; Ctrl-C stops it
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    let evaluated;
    try {
      evaluated = await services.training.evaluate(runId, data, rul, { signal: controller.signal, progress: (f, m) => out.progress(f, m) });
    } finally {
      process.off('SIGINT', onSigint);
    }
    // each model's METRICS with its expected calibration error (10 equal-width bins) beside them
    const lastCycle: Record<string, MetricsValue & { ece: number | null }> = {};
    const allCycles: Record<string, MetricsValue & { ece: number | null }> = {};
    for (const m of evaluated.models) {
      lastCycle[m.model] = { ...m.scores.lastCycle, ece: m.ece.lastCycle };
      allCycles[m.model] = { ...m.scores.allCycles, ece: m.ece.allCycles };
    }
    const rulScores: RulBlock | undefined = evaluated.rul;
    out.result({ runId, data: basename(data), rulFile: basename(rul), threshold: artifacts.threshold, weight: artifacts.weight, lastCycle, allCycles, ...(rulScores === undefined ? {} : { rul: rulScores }) }, () =>
      [
        `Official scoring of run ${runId} on ${basename(data)} + ${basename(rul)}${artifacts.lstm === null ? '' : ` (ensemble weight ${artifacts.weight.toFixed(2)})`}:`,
        ...evaluated.models.flatMap(({ model }) => [`${model}:`, ...metricsLines('  last cycle', lastCycle[model]), ...metricsLines('  all cycles', allCycles[model]), ...rulLine('  last cycle', rulScores?.[model])]),
      ].join('\n'),
    );
  } finally {
    await services.close();
  }
}

export async function featuresCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { dataset: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, top: { type: 'string' } });
  const top = countOption(values.top, 'top', 40);
  const config = configFrom(values);
  const services = openServices(values.store);
  try {
    const datasetId = await resolveDataset(services, requireOption(values.dataset, 'dataset'), out);
    // the ranking runs in a worker thread (the quick GBDT's thread pool waits with Atomics.wait)
    const { jobId } = await services.handlers['features:rank']({ datasetId, config });
    const result = (await waitForJob(services, jobId, out)).result;
    if (result === undefined || !('features' in result) || !('engineeredCount' in result)) throw new PrognosError('INTERNAL', 'ranking finished without a ranking');
    const ranked: FeatureRanking = result;
    const ranking = ranked.features;
    const selected = new Set(config.manualFeatures ?? ranking.slice(0, config.topK).map((r) => r.name));
    if (values.out !== undefined) {
      const file = resolve(values.out);
      const t = await services.table(datasetId);
      const prepared = prepareFeatures(t, config);
      const partOf = new Map<number, string>();
      for (const part of ['train', 'validation', 'test'] as const) for (const u of prepared.split[part]) partOf.set(u, part);
      const ws = createWriteStream(file);
      const write = async (s: string): Promise<void> => {
        if (!ws.write(s)) await once(ws, 'drain');
      };
      await write(['unit', 'cycle', 'rul', 'label', 'split', ...prepared.features.names].join(',') + '\n');
      for (let i = 0; i < t.rowCount; i++) {
        const cells = [t.unit[i], t.cycle[i], prepared.rul[i], prepared.label[i], partOf.get(t.unit[i]!)];
        for (const c of prepared.features.columns) cells.push(c[i]);
        await write(cells.join(',') + '\n');
      }
      ws.end();
      await once(ws, 'finish');
      out.note(`Wrote ${t.rowCount.toLocaleString('en-US')} rows × ${prepared.features.names.length} features to ${file}.`);
    }
    const defs = new Map(ranked.defs.map((d) => [d.name, d]));
    out.result(
      {
        datasetId,
        engineeredCount: ranked.engineeredCount,
        droppedSensors: ranked.droppedSensors,
        trainUnits: ranked.trainUnits,
        features: ranking.map((r) => ({ ...r, selected: selected.has(r.name), formula: defs.get(r.name)?.formula })),
      },
      () =>
        [
          `${ranked.engineeredCount} features engineered; ranked on the ${ranked.trainUnits} training units. Dropped sensors: ${ranked.droppedSensors.map((d) => d.name).join(', ') || 'none'}.`,
          '',
          table(
            ranking.slice(0, top).map((r) => [r.rank, r.name, r.combined.toFixed(1), r.mutualInfo.toFixed(3), r.spearman.toFixed(3), r.monotonicity.toFixed(3), r.trendability.toFixed(3), r.prognosability.toFixed(3), (r.gain ?? 0).toFixed(1), selected.has(r.name) ? '✓' : '']),
            ['rank', 'feature', 'combined', 'MI', '|spearman|', 'monotonic', 'trend', 'prognos', 'gain', 'kept'],
          ),
        ].join('\n'),
    );
  } finally {
    await services.close();
  }
}
