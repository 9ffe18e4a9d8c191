/**
 * Training runs: a run is recorded at once ('running'), the pipeline runs in a worker with
 * progress, per-iteration losses and cancel; the run ends 'done' with its artifacts, 'failed'
 * with the reason, or 'cancelled' with no artifacts left behind.
 */
import { dirname, join } from 'node:path';
import type { CalibrationReport } from '../../shared/calibration';
import { PrognosError } from '../../shared/errors';
import type { FeatureRanking, RunDetail, RunSummary } from '../../shared/schemas';
import type { FleetTable } from '../core/data/table';
import { parseTrainConfig, type TrainConfig } from '../core/pipeline/config';
import type { TrainOutcome } from '../core/pipeline/outcome';
import { GBDT_BACKEND, LSTM_ARTIFACT, OUTCOME_ARTIFACT, type SavedRun } from '../core/pipeline/saved-run';
import type { RulOutcomeInfo } from '../core/rul/train-rul';
import type { ExperimentStore, RunRecord } from '../core/store/store';
import type { EvaluateRequest, EvaluateValue } from '../workers/evaluate-protocol';
import type { RankRequest, RankValue, TrendRequest, TrendValue } from '../workers/features-protocol';
import { toWire } from '../workers/import-protocol';
import type { FromTrainWorker, ToTrainWorker } from '../workers/train-protocol';
import type { TrainedArtifacts } from '../workers/trained-run';
import { finishedRun, readRunArtifacts } from '../workers/run-artifacts';
import { StoreHost } from './store-host';
import type { EventBus } from './events';
import type { JobContext } from './jobs';
import { callWorker, type WorkerCallContext } from './worker-call';
import { runWorkerJob } from './worker-job';


export { FEATURES_ARTIFACT, GBDT_ARTIFACT, LSTM_ARTIFACT, LSTM_WEIGHTS_ARTIFACT, OUTCOME_ARTIFACT } from '../core/pipeline/saved-run';

export type { TrainedRun } from '../workers/trained-run';


/** The Results view's part of a run's RUL stage. */
function runRulOf(r: RulOutcomeInfo): NonNullable<RunDetail['rul']> {
  const metrics: NonNullable<RunDetail['rul']>['metrics'] = {};
  for (const [k, v] of Object.entries(r.metrics)) if (v !== undefined) metrics[k] = v;
  return { cap: r.cap, coverage: r.coverage, weight: r.weight, metrics, points: r.points, interval: { ...r.interval, bins: [...r.interval.bins] }, ...(r.features === undefined ? {} : { gbdtFeatures: r.features.length, gbdtTrends: r.features.filter((n) => n.endsWith('_trend')).length }) };
}

export class TrainingService {
  /** the job of each run still training */
  private readonly jobOfRun = new Map<string, string>();

  /** large reads from the store (tables, a run's artifacts), in a worker that lives as long as the services */
  readonly storeWorker: StoreHost;

  constructor(
    private readonly store: ExperimentStore,
    private readonly bus: EventBus,
    private readonly trainWorker: string,
  ) {
    this.storeWorker = new StoreHost(this.workerScript('store-worker'), store.dbPath);
  }

  /** Stops the store-read worker. */
  close(): Promise<void> {
    return this.storeWorker.close();
  }

  /** Creates the run record; the caller starts `run()` as a job. */
  createRun(datasetId: string, configInput: unknown, experimentId?: string): { runId: string; config: TrainConfig } {
    const dataset = this.store.getDataset(datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
    const config = parseTrainConfig(configInput);
    const runId = this.store.createRun({
      ...(experimentId === undefined ? {} : { experimentId }),
      datasetId,
      kind: 'train',
      config,
      seed: config.seed,
      datasetFingerprint: dataset.fingerprint,
      backend: GBDT_BACKEND,
    });
    this.store.logParams(runId, {
      seed: config.seed,
      labelWindow: config.labelWindow,
      historyWindow: config.historyWindow,
      topK: config.topK,
      models: config.models.join(','),
      ...Object.fromEntries(Object.entries(config.gbdt).map(([k, v]) => [`gbdt.${k}`, v])),
    });
    return { runId, config };
  }

  /** Trains the recorded run; `table` may still be being read (a failed read fails the run). */
  async run(runId: string, table: FleetTable | Promise<FleetTable>, config: TrainConfig, ctx: JobContext): Promise<{ jobId: string; runId: string }> {
    this.jobOfRun.set(runId, ctx.jobId);
    const pending: { key: string; value: number; step: number }[] = [];
    const flush = (): void => {
      if (pending.length > 0) this.store.logMetrics(runId, pending.splice(0));
    };
    try {
      // shared columns are shared, not copied: the worker trains on a private copy it makes itself
      const wire = toWire(await table);
      const saved = await runWorkerJob<FromTrainWorker, SavedRun>(
        this.trainWorker,
        { type: 'start', table: wire, config } satisfies ToTrainWorker,
        ctx,
        {
          onDone: (m) => m.saved,
          onMessage: (m) => {
            if (m.type === 'progress') ctx.progress(m.fraction, m.message);
            else {
              pending.push({ key: `${m.model}.train.logloss`, value: m.trainLoss, step: m.iteration });
              if (m.validLoss !== undefined) pending.push({ key: `${m.model}.validation.logloss`, value: m.validLoss, step: m.iteration });
              if (pending.length >= 50) flush();
              this.bus.emit('train:iteration', { jobId: ctx.jobId, runId, model: m.model, iteration: m.iteration, trainLoss: m.trainLoss, ...(m.validLoss === undefined ? {} : { validLoss: m.validLoss }) });
            }
          },
        },
      );
      flush();
      if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Training cancelled.');
      this.saveOutcome(runId, saved);
      return { jobId: ctx.jobId, runId };
    } catch (e) {
      flush();
      const cancelled = e instanceof PrognosError && e.code === 'CANCELLED';
      this.store.discardArtifacts(runId);
      this.store.setRunStatus(runId, cancelled ? 'cancelled' : 'failed', cancelled ? undefined : e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      this.jobOfRun.delete(runId);
    }
  }

  /**
   * Writes what the worker encoded (bytes and small records only, nothing to encode here) in one
   * transaction: one sync of the store for the whole run, and a run is never left half saved.
   */
  private saveOutcome(runId: string, saved: SavedRun): void {
    this.store.atomically(() => {
      for (const a of saved.artifacts) this.store.addArtifact(runId, a);
      for (const m of saved.models) this.store.registerModel(runId, m);
      if (saved.backend !== undefined) this.store.setRunBackend(runId, saved.backend);
      this.store.setRunResult(runId, saved.result);
      this.store.setRunStatus(runId, 'done');
    });
  }

  /** Saves the analyst's ensemble choice (weight and threshold) to a finished run. */
  setEnsemble(runId: string, weight: number, threshold: number): void {
    const r = this.store.getRun(runId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
    if (r.status !== 'done') throw new PrognosError('CONFLICT', `Run ${runId} is ${r.status}, not finished.`);
    const result = r.result as { weight: number; threshold: number; models?: string[] } & Record<string, unknown>;
    if (this.store.getArtifact(runId, LSTM_ARTIFACT) === undefined && weight !== 1) {
      throw new PrognosError('INVALID_INPUT', `Run ${runId} has no LSTM; its GBDT weight must be 1.`);
    }
    this.store.setRunResult(runId, { ...result, weight, threshold, chosenBy: 'analyst' });
    this.store.logParams(runId, { 'ensemble.weight': weight, 'ensemble.threshold': threshold });
  }

  /**
   * A finished run's artifacts as plain data, each checked against its SHA-256, read on this thread:
   * for the CLI, whose thread serves no one. The app's services use `loadArtifacts`.
   */
  artifacts(runId: string): TrainedArtifacts {
    return readRunArtifacts(this.store, runId);
  }

  /** The same, read and checked in a worker (store-worker.ts): the serving thread only receives them. */
  loadArtifacts(runId: string, ctx: WorkerCallContext): Promise<TrainedArtifacts> {
    finishedRun(this.store, runId); // a missing or unfinished run fails here, without a worker
    return this.storeWorker.artifacts(runId, ctx.signal);
  }

  /** The finished run's record: NOT_FOUND or CONFLICT (a cheap check before a job is started). */
  finished(runId: string): RunRecord {
    return finishedRun(this.store, runId);
  }

  /** the built worker script `name` (next to the training worker) */
  workerScript(name: string): string {
    return join(dirname(this.trainWorker), `${name}.js`);
  }

  /** Engineers and ranks every feature in a worker thread (a job: progress and cancel). */
  async rank(datasetId: string, table: FleetTable, configInput: unknown, ctx: JobContext): Promise<FeatureRanking> {
    const request: RankRequest = { datasetId, table: toWire(table), config: configInput };
    return (await callWorker<RankRequest, RankValue>(this.workerScript('rank-worker'), request, ctx)).value;
  }

  /** Official scoring of a finished run on a test file and its RUL file, in a worker thread. */
  async evaluate(runId: string, dataPath: string, rulPath: string, ctx: WorkerCallContext): Promise<EvaluateValue> {
    const request: EvaluateRequest = { artifacts: await this.loadArtifacts(runId, ctx), dataPath, rulPath };
    return (await callWorker<EvaluateRequest, EvaluateValue>(this.workerScript('evaluate-worker'), request, ctx)).value;
  }

  /** One feature over a few units' lives, computed in a worker thread (a short call). */
  async trend(table: FleetTable, feature: string, units: number[], configInput: unknown, ctx: WorkerCallContext): Promise<TrendValue> {
    parseTrainConfig(configInput);
    const request: TrendRequest = { table: toWire(table), feature, units, config: configInput };
    return (await callWorker<TrendRequest, TrendValue>(this.workerScript('trend-worker'), request, ctx)).value;
  }

  summary(r: RunRecord): RunSummary {
    const result = r.result as { threshold?: number; metrics?: Record<string, { validation?: { f2: number | null }; test?: { f2: number | null } | null }> } | null;
    const config = r.config as { models?: string[] };
    const headline = result?.metrics?.ensemble ?? result?.metrics?.gbdt;
    return {
      runId: r.runId,
      name: this.store.housekeeping().runName(r.runId),
      datasetId: r.datasetId,
      datasetName: this.store.getDataset(r.datasetId)?.name ?? null,
      status: r.status,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
      seed: r.seed,
      jobId: this.jobOfRun.get(r.runId) ?? null,
      models: config.models ?? [],
      threshold: result?.threshold ?? null,
      validationF2: headline?.validation?.f2 ?? null,
      testF2: headline?.test?.f2 ?? null,
      error: r.error,
    };
  }

  detail(runId: string): RunDetail {
    const r = this.store.getRun(runId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}.`);
    const base = { ...this.summary(r), config: r.config, backend: r.backend };
    const lossCurves: RunDetail['lossCurves'] = {};
    const byModel = new Map<string, Map<number, { train: number | null; validation: number | null }>>();
    for (const m of this.store.metricsOf(runId)) {
      const match = /^(\w+)\.(train|validation)\.logloss$/.exec(m.key);
      if (match === null || m.step === null) continue;
      const model = match[1]!;
      const steps = byModel.get(model) ?? new Map<number, { train: number | null; validation: number | null }>();
      const row = steps.get(m.step) ?? { train: null, validation: null };
      row[match[2] as 'train' | 'validation'] = m.value;
      steps.set(m.step, row);
      byModel.set(model, steps);
    }
    for (const [model, steps] of byModel) lossCurves[model] = [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([iteration, v]) => ({ iteration, ...v }));
    const empty = { metrics: {}, curves: {}, validationScores: {}, weight: 1, thresholds: {}, ensembleGrid: [], calibration: null, importance: [], selected: [], timings: {}, rows: { train: 0, validation: 0, test: 0 }, units: { train: 0, validation: 0, test: 0 } };
    const art = r.status === 'done' ? this.store.getArtifact(runId, OUTCOME_ARTIFACT) : undefined;
    if (art === undefined) return { ...base, ...empty, lossCurves };
    const o = JSON.parse(art.data.toString('utf8')) as Omit<TrainOutcome, 'gbdtJson' | 'featureState' | 'ranking' | 'lstm'>;
    const xy = (c: { roc: { fpr: number; tpr: number }[]; pr: { recall: number; precision: number }[] }) => ({
      roc: c.roc.map((p) => ({ x: p.fpr, y: p.tpr })),
      pr: c.pr.map((p) => ({ x: p.recall, y: p.precision })),
    });
    const curves: RunDetail['curves'] = {};
    for (const [model, c] of Object.entries(o.curves)) curves[model] = { validation: xy(c.validation), test: c.test === null ? null : xy(c.test) };
    const validationScores: RunDetail['validationScores'] = {};
    for (const [k, v] of Object.entries(o.validationScores)) if (v !== undefined) validationScores[k] = v;
    const result = r.result as { weight?: number; threshold?: number } | null;
    return {
      ...base,
      metrics: Object.fromEntries(Object.entries(o.metrics).filter((e): e is [string, NonNullable<(typeof e)[1]>] => e[1] !== undefined)),
      curves,
      validationScores,
      weight: result?.weight ?? o.weight ?? 1,
      thresholds: Object.fromEntries(Object.entries(o.thresholds ?? {}).filter((e): e is [string, number] => e[1] !== undefined)),
      ensembleGrid: o.ensembleGrid ?? [],
      calibration: (o as { calibration?: CalibrationReport }).calibration ?? null,
      importance: Object.entries(o.importance)
        .map(([name, gain]) => ({ name, gain }))
        .sort((a, b) => b.gain - a.gain),
      selected: o.selected,
      timings: o.timings,
      rows: o.rows,
      units: { train: o.split.train.length, validation: o.split.validation.length, test: o.split.test.length },
      lossCurves,
      ...(o.rul === undefined ? {} : { rul: runRulOf(o.rul) }),
    };
  }
}
