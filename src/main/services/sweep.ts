/**
 * Hyperparameter sweeps: trials sampled from a search space (grid, random or TPE), each a training
 * run in the sweep's experiment, run in parallel (each in its own training worker) with early pruning
 * by the median rule on the validation loss the training reports at its checkpoints.
 *
 * Crash safety: a trial is recorded with its parameters before its run starts. Resuming a sweep
 * (the same command again, or `--resume ID`) first lets the store mark the runs of a dead process
 * failed; a trial left 'running' or 'pending' is then started again with the parameters it was
 * recorded with (its interrupted run stays in the experiment as failed and in the trial's history),
 * up to three starts, after which it is 'failed'. New trials are numbered after the recorded ones,
 * so no trial is lost or run twice.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { PrognosError } from '../../shared/errors';
import type { FleetTable } from '../core/data/table';
import { parseTrainConfig, type TrainConfig } from '../core/pipeline/config';
import { GBDT_BACKEND } from '../core/pipeline/saved-run';
import { medianPrune, type CurvePoint, type MedianRule } from '../core/sweep/prune';
import { gridPoint, gridSize, randomPoint, tpePoint, type Observation, type SamplerName } from '../core/sweep/samplers';
import { baselineValues, configFor, parseSearchSpace, type ParamValues, type SearchSpace } from '../core/sweep/space';
import type { ExperimentStore } from '../core/store/store';
import type { SweepRecord, TrialRecord } from '../core/store/sweeps';
import type { EventBus } from './events';
import type { JobContext, JobManager } from './jobs';
import type { SweepDetail, SweepSummary } from '../../shared/sweep';
import type { Handlers } from './app-services';
import type { TrainingService } from './training';

export type SweepObjective = 'f2' | 'rmse';

export interface SweepRequest {
  datasetId: string;
  /** the space file's text */
  spaceText: string;
  /** the space file's name, for messages */
  spaceFile: string;
  sampler: SamplerName;
  objective: SweepObjective;
  trials: number;
  parallel: number;
  seed: number;
  pruning: boolean;
}

export interface SweepTrialResult {
  trialNo: number;
  runId: string | null;
  status: 'done' | 'pruned' | 'failed';
  objective: number | null;
  params: Record<string, unknown>;
  attempts: number;
  previousRunIds: string[];
  note: string | null;
}

export interface SweepResult {
  sweepId: string;
  experimentId: string;
  datasetId: string;
  sampler: SamplerName;
  objective: SweepObjective;
  /** trial 0 is the baseline: each range at the training config's default (when inside the range) */
  trials: SweepTrialResult[];
  best: { runId: string; objective: number; trialNo: number; params: Record<string, unknown> } | null;
  /** the best trial's config, ready to train or save */
  bestConfig: TrainConfig | null;
}

/** One event per trial state change, for progress lines and the UI. */
export interface TrialEvent {
  sweepId: string;
  trialNo: number;
  status: TrialRecord['status'];
  runId: string | null;
  objective: number | null;
  params: Record<string, unknown>;
  note: string | null;
}

/** Median rule per model: GBDT rounds from round 10, every 10; LSTM epochs from epoch 2, every epoch. */
export const PRUNING_RULES: Readonly<Record<'gbdt' | 'lstm', MedianRule>> = {
  gbdt: { startupTrials: 4, warmupSteps: 10, interval: 10 },
  lstm: { startupTrials: 4, warmupSteps: 2, interval: 1 },
};

/** Starts of one trial before it counts as failed (each start after the first follows a crash). */
export const MAX_TRIAL_ATTEMPTS = 3;

type Curves = Record<'gbdt' | 'lstm', CurvePoint[]>;

function sweepKey(r: SweepRequest): string {
  return createHash('sha256')
    .update(JSON.stringify({ datasetId: r.datasetId, space: r.spaceText, sampler: r.sampler, objective: r.objective, trials: r.trials, seed: r.seed, pruning: r.pruning }))
    .digest('hex');
}

/** The validation objective of a finished run: F2 of the headline model, or its RUL RMSE. */
export function objectiveOf(result: unknown, objective: SweepObjective): number | null {
  const r = result as {
    metrics?: Record<string, { validation?: { f2?: number | null } } | undefined>;
    rul?: { metrics?: Record<string, { validation?: { rmse?: number } | null } | undefined> };
  } | null;
  if (objective === 'f2') {
    const m = r?.metrics?.ensemble ?? r?.metrics?.gbdt;
    const v = m?.validation?.f2;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  const m = r?.rul?.metrics?.ensemble ?? r?.rul?.metrics?.gbdt;
  const v = m?.validation?.rmse;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Lower is better for every sampler. */
const lossOf = (objective: SweepObjective, v: number | null): number | null => (v === null ? null : objective === 'f2' ? -v : v);

export type SweepChannel = 'sweeps:start' | 'sweeps:list' | 'sweeps:get';

/** The space's name when it comes from the app (typed in its editor, not a file). */
export const APP_SPACE_NAME = 'search space';

export class SweepService {
  /** the job of each sweep running in this process */
  private readonly jobOfSweep = new Map<string, string>();

  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly bus: EventBus,
    private readonly table: (datasetId: string) => Promise<FleetTable>,
  ) {}

  /** Checks a request (space, sampler, objective); returns the parsed space and the trial count. */
  plan(r: SweepRequest): { space: SearchSpace; trials: number } {
    const space = parseSearchSpace(r.spaceText, r.spaceFile);
    let trials = r.trials;
    if (r.sampler === 'grid') {
      let size: number;
      try {
        size = gridSize(space);
      } catch (e) {
        throw new PrognosError('INVALID_INPUT', `${r.spaceFile}: ${(e as Error).message}.`);
      }
      trials = Math.min(trials, size + 1); // the baseline, then every grid point once
    }
    const base = configFor(space, baselineValues(space));
    if (r.objective === 'rmse') {
      if (space.params.some((p) => p.name.startsWith('rul.enabled'))) throw new PrognosError('INVALID_INPUT', `${r.spaceFile}: rul.enabled cannot be searched when the objective is rmse (every trial needs its RUL models).`);
      if (!base.rul.enabled) throw new PrognosError('INVALID_INPUT', `${r.spaceFile}: the objective rmse needs "rul": { "enabled": true } (the RUL RMSE on the validation units).`);
    }
    return { space, trials };
  }

  /**
   * Records a new sweep (in a new experiment) or, when an unfinished sweep with the same dataset,
   * space and options exists, returns that one to be resumed.
   */
  create(r: SweepRequest): { sweepId: string; experimentId: string; resumed: boolean } {
    const dataset = this.store.getDataset(r.datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${r.datasetId}.`);
    const { trials } = this.plan(r);
    const key = sweepKey({ ...r, trials });
    const sweeps = this.store.sweeps();
    const open = sweeps.unfinished(key);
    if (open !== undefined) return { sweepId: open.sweepId, experimentId: open.experimentId, resumed: true };
    const experimentId = this.store.createExperiment(`sweep of ${r.spaceFile} on ${dataset.name}`);
    const sweepId = sweeps.create({ experimentId, datasetId: r.datasetId, key, spaceText: r.spaceText, spaceFile: r.spaceFile, sampler: r.sampler, objective: r.objective, trials, parallel: r.parallel, seed: r.seed, pruning: r.pruning }, this.store.owner());
    return { sweepId, experimentId, resumed: false };
  }

  get(sweepId: string): SweepRecord {
    const s = this.store.sweeps().get(sweepId);
    if (s === undefined) throw new PrognosError('NOT_FOUND', `No sweep ${sweepId}.`);
    return s;
  }

  /** Runs (or resumes) the sweep to its end; `parallel` overrides the recorded parallelism. */
  async run(sweepId: string, ctx: JobContext, onTrial?: (e: TrialEvent) => void, parallel?: number): Promise<SweepResult> {
    const sweeps = this.store.sweeps();
    this.store.sweep(); // runs of a process that died are failed before their trials are looked at
    const s = sweeps.claim(sweepId, this.store.owner());
    const space = parseSearchSpace(s.spaceText, s.spaceFile);
    const table = await this.table(s.datasetId);
    const width = Math.max(1, parallel ?? s.parallel);
    const history: Observation[] = [];
    const finishedCurves: Record<'gbdt' | 'lstm', CurvePoint[][]> = { gbdt: [], lstm: [] };
    const queue: TrialRecord[] = [];
    const emit = (t: Omit<TrialEvent, 'sweepId'>): void => onTrial?.({ sweepId, ...t });

    for (const t of sweeps.trials(sweepId)) {
      if (t.status === 'done' || t.status === 'pruned' || t.status === 'failed') {
        history.push({ values: t.params, loss: t.status === 'done' ? lossOf(s.objective, t.objective) : null });
        if (t.status === 'done' && t.runId !== null) this.addCurves(finishedCurves, t.runId);
        continue;
      }
      // 'pending' or 'running' from an earlier process: started again with the recorded parameters
      if (t.attempts >= MAX_TRIAL_ATTEMPTS) {
        sweeps.finishTrial(sweepId, t.trialNo, 'failed', null, `interrupted ${t.attempts} times`);
        history.push({ values: t.params, loss: null });
        continue;
      }
      queue.push(t);
    }
    let next = Math.max(-1, ...sweeps.trials(sweepId).map((t) => t.trialNo)) + 1;
    const total = s.trials;
    const finishedCount = (): number => sweeps.trials(sweepId).filter((t) => t.status === 'done' || t.status === 'pruned' || t.status === 'failed').length;

    const sample = (trialNo: number): ParamValues => {
      if (trialNo === 0) return baselineValues(space);
      switch (s.sampler) {
        case 'grid':
          return gridPoint(space, (trialNo - 1) % gridSize(space));
        case 'random':
          return randomPoint(space, s.seed, trialNo);
        case 'tpe':
          return tpePoint(space, history, s.seed, trialNo);
      }
    };

    const active = new Map<number, Promise<void>>();
    const launch = (trialNo: number, params: ParamValues): void => {
      const p = this.runTrial(s, trialNo, params, space, table, finishedCurves, ctx.signal, emit).then(({ loss }) => {
        if (!ctx.signal.aborted) history.push({ values: params, loss });
        ctx.progress(finishedCount() / total, `Sweep ${sweepId}: ${finishedCount()} of ${total} trials finished`);
      });
      active.set(trialNo, p.finally(() => active.delete(trialNo)));
    };

    ctx.progress(finishedCount() / total, `Sweep ${sweepId}: ${finishedCount()} of ${total} trials finished`);
    try {
      while (!ctx.signal.aborted) {
        while (active.size < width && !ctx.signal.aborted) {
          const resumed = queue.shift();
          if (resumed !== undefined) {
            launch(resumed.trialNo, resumed.params);
            continue;
          }
          if (next >= total) break;
          const trialNo = next++;
          const params = sample(trialNo);
          sweeps.addTrial(sweepId, trialNo, params);
          emit({ trialNo, status: 'pending', runId: null, objective: null, params, note: null });
          launch(trialNo, params);
        }
        if (active.size === 0) break;
        await Promise.race(active.values());
      }
      await Promise.all(active.values());
    } catch (e) {
      await Promise.allSettled(active.values());
      sweeps.finish(sweepId, 'failed', e instanceof Error ? e.message : String(e));
      throw e;
    }
    if (ctx.signal.aborted) {
      sweeps.finish(sweepId, 'cancelled');
      throw new PrognosError('CANCELLED', `Sweep ${sweepId} cancelled; resume it with \`prognos sweep --resume ${sweepId}\`.`);
    }
    sweeps.finish(sweepId, 'done');
    return this.result(sweepId);
  }

  private addCurves(into: Record<'gbdt' | 'lstm', CurvePoint[][]>, runId: string): void {
    const curves: Curves = { gbdt: [], lstm: [] };
    for (const m of this.store.metricsOf(runId)) {
      if (m.step === null) continue;
      if (m.key === 'gbdt.validation.logloss') curves.gbdt.push({ step: m.step, value: m.value });
      if (m.key === 'lstm.validation.logloss') curves.lstm.push({ step: m.step, value: m.value });
    }
    if (curves.gbdt.length > 0) into.gbdt.push(curves.gbdt);
    if (curves.lstm.length > 0) into.lstm.push(curves.lstm);
  }

  /** Creates the trial's run in the sweep's experiment, trains it and records how it ended. */
  private async runTrial(
    s: SweepRecord,
    trialNo: number,
    params: ParamValues,
    space: SearchSpace,
    table: FleetTable,
    finishedCurves: Record<'gbdt' | 'lstm', CurvePoint[][]>,
    outer: AbortSignal,
    emit: (t: Omit<TrialEvent, 'sweepId'>) => void,
  ): Promise<{ loss: number | null }> {
    const sweeps = this.store.sweeps();
    const finish = (status: 'done' | 'pruned' | 'failed', objective: number | null, runId: string | null, note?: string): { loss: number | null } => {
      sweeps.finishTrial(s.sweepId, trialNo, status, objective, note);
      emit({ trialNo, status, runId, objective, params, note: note ?? null });
      return { loss: status === 'done' ? lossOf(s.objective, objective) : null };
    };
    let config: TrainConfig;
    try {
      config = configFor(space, params);
    } catch (e) {
      return finish('failed', null, null, e instanceof Error ? e.message : String(e));
    }
    // one transaction: a process killed between the two would leave a run in the experiment that no trial knows
    const runId = this.store.atomically(() => {
      const id = this.createTrialRun(s, trialNo, config, params);
      sweeps.startTrial(s.sweepId, trialNo, id);
      return id;
    });
    emit({ trialNo, status: 'running', runId, objective: null, params, note: null });

    const controller = new AbortController();
    const onOuter = (): void => controller.abort();
    outer.addEventListener('abort', onOuter);
    const curves: Curves = { gbdt: [], lstm: [] };
    // set from the event listener (a holder, so the catch below sees the listener's write)
    const state: { pruned: string | null } = { pruned: null };
    const unsubscribe = this.bus.subscribe((ev) => {
      if (ev.name !== 'train:iteration' || ev.payload.runId !== runId || ev.payload.validLoss === undefined || !s.pruning || state.pruned !== null) return;
      const model = ev.payload.model;
      if (model !== 'gbdt' && model !== 'lstm') return;
      curves[model].push({ step: ev.payload.iteration, value: ev.payload.validLoss });
      const reason = medianPrune(curves[model], finishedCurves[model], ev.payload.iteration, PRUNING_RULES[model]);
      if (reason !== null) {
        state.pruned = `${model === 'gbdt' ? 'GBDT round' : 'LSTM epoch'} ${ev.payload.iteration}: ${reason}`;
        controller.abort();
      }
    });
    const ctx: JobContext = { jobId: `${s.sweepId}#${trialNo}`, signal: controller.signal, progress: () => undefined };
    try {
      await this.training.run(runId, table, config, ctx);
    } catch (e) {
      if (state.pruned !== null) {
        this.store.setRunStatus(runId, 'cancelled', `pruned by sweep ${s.sweepId}: ${state.pruned}`);
        return finish('pruned', null, runId, state.pruned);
      }
      if (outer.aborted) {
        sweeps.requeueTrial(s.sweepId, trialNo);
        return { loss: null };
      }
      return finish('failed', null, runId, e instanceof Error ? e.message : String(e));
    } finally {
      unsubscribe();
      outer.removeEventListener('abort', onOuter);
    }
    const objective = objectiveOf(this.store.getRun(runId)?.result, s.objective);
    if (objective === null) return finish('failed', null, runId, `the run has no validation ${s.objective === 'f2' ? 'F2' : 'RUL RMSE'}`);
    if (curves.gbdt.length > 0) finishedCurves.gbdt.push(curves.gbdt);
    if (curves.lstm.length > 0) finishedCurves.lstm.push(curves.lstm);
    return finish('done', objective, runId);
  }

  private createTrialRun(s: SweepRecord, trialNo: number, config: TrainConfig, params: ParamValues): string {
    const dataset = this.store.getDataset(s.datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${s.datasetId}.`);
    const runId = this.store.createRun({ experimentId: s.experimentId, datasetId: s.datasetId, kind: 'train', config, seed: config.seed, datasetFingerprint: dataset.fingerprint, backend: GBDT_BACKEND });
    const logged = Object.fromEntries(Object.entries(params).map(([k, v]) => [`sweep.${k}`, typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : JSON.stringify(v)]));
    this.store.logParams(runId, { sweep: s.sweepId, 'sweep.trial': trialNo, seed: config.seed, models: config.models.join(','), ...logged });
    return runId;
  }

  /** The sweep's trials and its best trial as stored. */
  result(sweepId: string): SweepResult {
    const s = this.get(sweepId);
    const trials = this.store.sweeps().trials(sweepId);
    const out: SweepTrialResult[] = trials.map((t) => ({
      trialNo: t.trialNo,
      runId: t.runId,
      status: t.status === 'done' || t.status === 'pruned' ? t.status : 'failed',
      objective: t.objective,
      params: t.params,
      attempts: t.attempts,
      previousRunIds: t.previousRunIds,
      note: t.status === 'pending' || t.status === 'running' ? (t.note ?? 'not finished') : t.note,
    }));
    let best: SweepResult['best'] = null;
    for (const t of out) {
      if (t.status !== 'done' || t.objective === null || t.runId === null) continue;
      const better = best === null || (s.objective === 'f2' ? t.objective > best.objective : t.objective < best.objective);
      if (better) best = { runId: t.runId, objective: t.objective, trialNo: t.trialNo, params: t.params };
    }
    const bestConfig = best === null ? null : parseTrainConfig(this.store.getRun(best.runId)?.config);
    return { sweepId, experimentId: s.experimentId, datasetId: s.datasetId, sampler: s.sampler, objective: s.objective, trials: out, best, bestConfig };
  }

  /** The app's channels: a sweep runs as a job; its trials are read from the store. */
  handlers(jobs: JobManager): Pick<Handlers, SweepChannel> {
    return {
      'sweeps:start': (input) => {
        const dataset = this.store.getDataset(input.datasetId);
        if (dataset === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${input.datasetId}.`);
        const request: SweepRequest = { ...input, spaceText: input.space, spaceFile: APP_SPACE_NAME, parallel: input.parallel ?? Math.max(1, availableParallelism()) };
        const { sweepId } = this.create(request);
        if (this.jobOfSweep.has(sweepId)) throw new PrognosError('CONFLICT', `Sweep ${sweepId} is already running.`);
        const jobId = jobs.start('sweep', async (ctx) => {
          try {
            await this.run(sweepId, ctx, undefined, request.parallel);
          } finally {
            this.jobOfSweep.delete(sweepId);
          }
          return undefined;
        });
        this.jobOfSweep.set(sweepId, jobId);
        return Promise.resolve({ jobId, sweepId });
      },
      'sweeps:list': () => Promise.resolve(this.store.sweeps().list().map((s) => this.summary(s))),
      'sweeps:get': ({ sweepId }) => Promise.resolve(this.detail(sweepId)),
    };
  }

  private summary(s: SweepRecord): SweepSummary {
    const trials = this.store.sweeps().trials(s.sweepId);
    const done = trials.filter((t) => t.status === 'done' && t.objective !== null).map((t) => t.objective!);
    return {
      sweepId: s.sweepId,
      experimentId: s.experimentId,
      datasetId: s.datasetId,
      spaceFile: s.spaceFile,
      status: s.status,
      sampler: s.sampler,
      objective: s.objective,
      trials: s.trials,
      finished: trials.filter((t) => t.status === 'done' || t.status === 'pruned' || t.status === 'failed').length,
      best: done.length === 0 ? null : s.objective === 'f2' ? Math.max(...done) : Math.min(...done),
      createdAt: s.createdAt,
      jobId: this.jobOfSweep.get(s.sweepId) ?? null,
    };
  }

  detail(sweepId: string): SweepDetail {
    const s = this.get(sweepId);
    const space = parseSearchSpace(s.spaceText, s.spaceFile);
    const r = this.result(sweepId);
    return {
      ...this.summary(s),
      space: s.spaceText,
      params: space.params.map((p) => (p.spec.kind === 'choice' ? { name: p.name, kind: p.spec.kind, options: [...p.spec.options] } : { name: p.name, kind: p.spec.kind, lo: p.spec.lo, hi: p.spec.hi })),
      trialList: this.store.sweeps().trials(sweepId).map((t) => ({ trial: t.trialNo, runId: t.runId, status: t.status, objective: t.objective, params: t.params, attempts: t.attempts, note: t.note })),
      bestRun: r.best === null ? null : { runId: r.best.runId, objective: r.best.objective, trial: r.best.trialNo },
      bestConfig: r.bestConfig,
      error: s.error,
    };
  }
}
