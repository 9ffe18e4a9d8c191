/**
 * Pipelines: a recipe's steps (import → train → evaluate → export → drift → report → register) run
 * in order as one job, each through the service that does that work elsewhere (import, training,
 * evaluation, bundle export, drift, report and registry services; every heavy part in their worker
 * threads), with:
 *
 * - per-step status, attempts and a log kept in the store (`pipeline_steps`);
 * - retries per step, waiting `retryDelaySeconds` and doubling the wait before each further try;
 * - caching: a step's cache key is the SHA-256 of its inputs — the bytes of the files it reads, its
 *   settings (the parsed training config), the ids and fingerprints of the upstream steps' outputs
 *   and the code version (the app version and the SHA-256 of the worker script doing the work). A
 *   step whose key matches a finished step reuses that step's output as long as what it names (the
 *   dataset, run, bundle or report) still exists; otherwise it runs again.
 *
 * A pipeline run left 'running' by a process that died is marked failed when the service opens
 * and whenever the history is read; running it again resumes from the cached steps.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrognosError, toErrorValue } from '../../shared/errors';
import { PIPELINE_STEPS, type PipelineRecipe, type PipelineRunRecord, type PipelineStepName, type SavedPipeline } from '../../shared/pipelines';
import type { ImportResult } from '../../shared/schemas';
import { fileSha256, resolveImportFile, resolveInputFile, type InputBase } from '../core/pipelines/inputs';
import { parseRecipeText, recipeJsonSchema } from '../core/pipelines/recipe';
import { parseTrainConfig } from '../core/pipeline/config';
import type { FleetTable } from '../core/data/table';
import { selfOwner } from '../core/store/owner';
import type { PipelineStore } from '../core/store/pipelines';
import type { ExperimentStore } from '../core/store/store';
import type { DriftService } from './drift';
import type { ExportService } from './exports';
import type { JobContext, JobManager } from './jobs';
import type { RegistryService } from './registry';
import type { ReportService } from './reports';
import type { TrainingService } from './training';

/** Pipeline runs this process is executing (any store): the only ones of this process that are alive. */
const liveRuns = new Set<string>();

export interface PipelineDeps {
  readonly store: ExperimentStore;
  readonly jobs: JobManager;
  readonly training: TrainingService;
  readonly exports: ExportService;
  readonly drift: DriftService;
  readonly reports: ReportService;
  readonly registry: RegistryService;
  readonly table: (datasetId: string) => Promise<FleetTable>;
  /** imports a file named by path (the recipe's), as `prognos import` does */
  readonly importFile: (req: { path: string; rul?: string; format?: 'cmapss' | 'csv'; name?: string }, ctx: JobContext) => Promise<ImportResult>;
  readonly importWorker: string;
  readonly trainWorker: string;
  readonly version: string;
  /** the folder recipes run from the app read their files from (they may name nothing outside it) */
  readonly filesDir: string;
}

/** Where a run's recipe came from and the folder its relative paths start from. */
export interface PipelineSource {
  /** a file name (the CLI) or the saved pipeline's name (the app), for messages and the history */
  readonly label: string;
  readonly base: InputBase;
  readonly pipelineId?: string;
}

type Output = Record<string, unknown>;
type Upstream = Partial<Record<PipelineStepName, Output>>;
type Step<N extends PipelineStepName> = NonNullable<PipelineRecipe['steps'][N]>;

/** What a step reads, resolved, and how to do it. */
interface Prepared {
  /** what goes into the cache key besides the step name and code version */
  readonly inputs: Output;
  readonly script: string;
  /** whether a cached output still names records that exist */
  readonly valid: (output: Output) => boolean;
  readonly perform: (ctx: JobContext) => Promise<{ output: Output; summary: string }>;
  readonly describe: (output: Output) => string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const str = (o: Output | undefined, key: string): string => {
  const v = o?.[key];
  if (typeof v !== 'string') throw new PrognosError('INTERNAL', `an upstream step's output has no ${key}`);
  return v;
};
const fmt = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '—');

export class PipelineService {
  private readonly runs: PipelineStore;
  private readonly codeHashes = new Map<string, string>();
  private readonly self = selfOwner();

  constructor(private readonly deps: PipelineDeps) {
    this.runs = deps.store.pipelines();
    mkdirSync(deps.filesDir, { recursive: true });
    this.runs.failInterrupted(this.self, liveRuns);
  }

  /** The base the app's recipes use: the pipeline files folder, nothing outside it. */
  appBase(): InputBase {
    return { dir: this.deps.filesDir, confined: true };
  }

  // ── saved recipes ─────────────────────────────────────────────────────────────────────────────

  listSaved(): SavedPipeline[] {
    return this.runs.listSaved();
  }

  /** Checks the recipe (INVALID_INPUT naming line, column and key) and saves it under its name. */
  save(pipelineId: string | undefined, text: string): SavedPipeline {
    const recipe = this.parseForApp(text);
    return this.runs.save(pipelineId, recipe.name, text);
  }

  deleteSaved(pipelineId: string): boolean {
    return this.runs.deleteSaved(pipelineId);
  }

  private parseForApp(text: string): PipelineRecipe {
    try {
      return parseRecipeText(text, 'recipe');
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'BAD_FILE') throw new PrognosError('INVALID_INPUT', e.message, e.details);
      throw e;
    }
  }

  schema(): { schema: Record<string, unknown>; filesDir: string } {
    return { schema: recipeJsonSchema(), filesDir: this.deps.filesDir };
  }

  // ── history ───────────────────────────────────────────────────────────────────────────────────

  history(limit?: number): PipelineRunRecord[] {
    this.runs.failInterrupted(this.self, liveRuns);
    return this.runs.listRuns(limit);
  }

  get(pipelineRunId: string): PipelineRunRecord {
    this.runs.failInterrupted(this.self, liveRuns);
    const r = this.runs.getRun(pipelineRunId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No pipeline run ${pipelineRunId}.`);
    return r;
  }

  // ── running ───────────────────────────────────────────────────────────────────────────────────

  /** Parses the recipe (a bad one fails the call, nothing recorded), records the run and starts its job. */
  start(text: string, source: PipelineSource, parse: (text: string) => PipelineRecipe = (t) => parseRecipeText(t, source.label)): { jobId: string; pipelineRunId: string } {
    const recipe = parse(text);
    const steps = PIPELINE_STEPS.filter((s) => recipe.steps[s] !== undefined);
    const pipelineRunId = this.runs.createRun({
      name: recipe.name,
      source: source.label,
      pipelineId: source.pipelineId ?? null,
      recipeText: text,
      recipeSha256: sha256(text),
      steps,
      owner: this.self,
    });
    liveRuns.add(pipelineRunId);
    const jobId = this.deps.jobs.start('pipeline', async (ctx) => {
      try {
        return await this.execute(pipelineRunId, recipe, steps, source.base, ctx);
      } finally {
        liveRuns.delete(pipelineRunId);
      }
    });
    return { jobId, pipelineRunId };
  }

  /** Starts a run from the app: a saved recipe or the editor's text, its files in the pipeline files folder. */
  startFromApp(input: { text?: string; pipelineId?: string }): { jobId: string; pipelineRunId: string } {
    let text = input.text;
    let label = 'recipe';
    if (input.pipelineId !== undefined) {
      const saved = this.runs.getSaved(input.pipelineId);
      if (saved === undefined) throw new PrognosError('NOT_FOUND', `No saved pipeline ${input.pipelineId}.`);
      text ??= saved.text;
      label = saved.name;
    }
    if (text === undefined) throw new PrognosError('INVALID_INPUT', 'Give the recipe text or a saved pipeline.');
    return this.start(text, { label, base: this.appBase(), ...(input.pipelineId === undefined ? {} : { pipelineId: input.pipelineId }) }, (t) => this.parseForApp(t));
  }

  private async execute(id: string, recipe: PipelineRecipe, steps: readonly PipelineStepName[], base: InputBase, ctx: JobContext): Promise<{ pipelineRunId: string; status: 'done' }> {
    const upstream: Upstream = {};
    try {
      for (const [i, step] of steps.entries()) {
        if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Pipeline cancelled.');
        upstream[step] = await this.runStep(id, i, steps.length, step, recipe, base, upstream, ctx);
      }
      this.runs.finishRun(id, 'done', null);
      ctx.progress(1, `Pipeline ${recipe.name} done.`);
      return { pipelineRunId: id, status: 'done' };
    } catch (e) {
      const error = toErrorValue(e);
      this.runs.finishRun(id, error.code === 'CANCELLED' ? 'cancelled' : 'failed', error.message);
      throw e;
    }
  }

  private async runStep(id: string, position: number, count: number, step: PipelineStepName, recipe: PipelineRecipe, base: InputBase, upstream: Upstream, job: JobContext): Promise<Output> {
    const spec = recipe.steps[step]!;
    const log = (message: string): void => this.runs.appendLog(id, position, `${new Date().toISOString().slice(11, 19)} ${message}`);
    let lastLogged = { text: '', at: 0 };
    const ctx: JobContext = {
      jobId: job.jobId,
      signal: job.signal,
      progress: (fraction, message) => {
        job.progress((position + Math.max(0, Math.min(1, fraction))) / count, `${step}: ${message}`);
        const now = Date.now();
        if (message !== lastLogged.text && (now - lastLogged.at >= 2000 || fraction >= 1)) {
          lastLogged = { text: message, at: now };
          log(message);
        }
      },
    };
    this.runs.updateStep(id, position, { status: 'running', started: true });
    job.progress(position / count, `${step}: starting`);
    const tries = spec.retries + 1;
    for (let attempt = 1; ; attempt++) {
      this.runs.updateStep(id, position, { attempts: attempt });
      try {
        const prepared = await this.prepare(step, recipe, base, upstream);
        const code = this.codeVersion(prepared.script);
        const cacheKey = sha256(JSON.stringify({ step, code, inputs: prepared.inputs }));
        this.runs.updateStep(id, position, { cacheKey });
        const hit = this.runs.cachedOutputs(cacheKey).find((o) => prepared.valid(o));
        if (hit !== undefined) {
          const summary = `inputs unchanged: reused ${prepared.describe(hit)}`;
          log(`cache key ${cacheKey.slice(0, 16)}…: ${summary}`);
          this.runs.updateStep(id, position, { status: 'cached', output: hit, summary, finished: true });
          return hit;
        }
        log(`attempt ${attempt} of ${tries}: cache key ${cacheKey.slice(0, 16)}…, no reusable output; running`);
        const { output, summary } = await prepared.perform(ctx);
        if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Pipeline cancelled.');
        log(summary);
        this.runs.updateStep(id, position, { status: 'done', output, summary, error: null, finished: true });
        return output;
      } catch (e) {
        const error = toErrorValue(e);
        if (error.code === 'CANCELLED' || ctx.signal.aborted) throw e;
        log(`attempt ${attempt} of ${tries} failed: ${error.message}`);
        if (attempt >= tries) {
          this.runs.updateStep(id, position, { status: 'failed', error: error.message, finished: true });
          throw new PrognosError(error.code, `step ${step} failed${tries > 1 ? ` after ${tries} attempts` : ''}: ${error.message}`, error.details);
        }
        const wait = spec.retryDelaySeconds * 2 ** (attempt - 1);
        log(`retrying in ${wait} s`);
        this.runs.updateStep(id, position, { error: error.message });
        try {
          await sleep(wait * 1000, undefined, { signal: ctx.signal });
        } catch {
          throw new PrognosError('CANCELLED', 'Pipeline cancelled.');
        }
      }
    }
  }

  /** The app's version and the SHA-256 of the worker script that does a step's work. */
  private codeVersion(script: string): string {
    let hash = this.codeHashes.get(script);
    if (hash === undefined) {
      hash = existsSync(script) ? createHash('sha256').update(readFileSync(script)).digest('hex') : `missing:${basename(script)}`;
      this.codeHashes.set(script, hash);
    }
    return `${this.deps.version}+${hash}`;
  }

  private async prepare(step: PipelineStepName, recipe: PipelineRecipe, base: InputBase, up: Upstream): Promise<Prepared> {
    const s = recipe.steps;
    switch (step) {
      case 'import':
        return this.prepareImport(s.import, base);
      case 'train':
        return this.prepareTrain(s.train!, up);
      case 'evaluate':
        return this.prepareEvaluate(s.evaluate!, base, up);
      case 'export':
        return this.prepareExport(s.export!, up);
      case 'drift':
        return this.prepareDrift(s.drift!, base, up);
      case 'report':
        return this.prepareReport(s.report!, base, up);
      case 'register':
        return this.prepareRegister(s.register!, up);
    }
  }

  private async prepareImport(spec: Step<'import'>, base: InputBase): Promise<Prepared> {
    const file = resolveImportFile(base, spec.path, spec.pick, 'steps.import.path');
    const rul = spec.rul === undefined ? undefined : resolveInputFile(base, spec.rul, 'steps.import.rul');
    const sha = await fileSha256(file);
    const rulSha = rul === undefined ? null : await fileSha256(rul);
    return {
      inputs: { sha256: sha, rulSha256: rulSha, format: spec.format ?? null, name: spec.name ?? null },
      script: this.deps.importWorker,
      valid: (o) => typeof o.datasetId === 'string' && this.deps.store.getDataset(o.datasetId) !== undefined,
      describe: (o) => `dataset ${String(o.datasetId)} (${String(o.file)})`,
      perform: async (ctx) => {
        const r = await this.deps.importFile({ path: file, ...(rul === undefined ? {} : { rul }), ...(spec.format === undefined ? {} : { format: spec.format }), ...(spec.name === undefined ? {} : { name: spec.name }) }, ctx);
        const d = r.dataset;
        return {
          output: { datasetId: d.datasetId, fingerprint: d.fingerprint, file: basename(file), sha256: sha, rows: d.rows, units: d.units, role: d.role },
          summary: `imported ${basename(file)} as dataset ${d.datasetId}: ${d.rows.toLocaleString('en-US')} rows, ${d.units} units (${d.role})`,
        };
      },
    };
  }

  private prepareTrain(spec: Step<'train'>, up: Upstream): Prepared {
    const datasetId = str(up.import, 'datasetId');
    const config = parseTrainConfig(spec.config);
    return {
      inputs: { datasetId, fingerprint: str(up.import, 'fingerprint'), config },
      script: this.deps.trainWorker,
      valid: (o) => typeof o.runId === 'string' && this.deps.store.getRun(o.runId)?.status === 'done',
      describe: (o) => `run ${String(o.runId)} (validation F2 ${fmt(o.validationF2)})`,
      perform: async (ctx) => {
        const d = this.deps.store.getDataset(datasetId);
        if (d === undefined) throw new PrognosError('NOT_FOUND', `The dataset ${datasetId} of the import step is gone.`);
        if (d.role !== 'training' && !spec.force) {
          throw new PrognosError('CONFLICT', `dataset ${datasetId} ("${d.name}") is not a training fleet (its role is ${d.role}): set "force": true in steps.train to train on it anyway, or set its role with \`prognos datasets set-role ${datasetId} training\`.`);
        }
        const { runId } = this.deps.training.createRun(datasetId, config);
        ctx.progress(0, `run ${runId}: training ${config.models.join(' + ')}`);
        await this.deps.training.run(runId, await this.deps.table(datasetId), config, ctx);
        const f2 = this.deps.training.summary(this.deps.store.getRun(runId)!).validationF2 ?? null;
        return { output: { runId, validationF2: f2 }, summary: `trained run ${runId} (${config.models.join(' + ')}): validation F2 ${fmt(f2)}` };
      },
    };
  }

  private async prepareEvaluate(spec: Step<'evaluate'>, base: InputBase, up: Upstream): Promise<Prepared> {
    const runId = str(up.train, 'runId');
    const data = resolveInputFile(base, spec.data, 'steps.evaluate.data');
    const rul = resolveInputFile(base, spec.rul, 'steps.evaluate.rul');
    return {
      inputs: { runId, dataSha256: await fileSha256(data), rulSha256: await fileSha256(rul) },
      script: this.deps.training.workerScript('evaluate-worker'),
      valid: (o) => typeof o.runId === 'string' && this.deps.store.getRun(o.runId)?.status === 'done',
      describe: (o) => `the scores of run ${String(o.runId)} on ${String(o.data)} (last-cycle F2 ${fmt(o.lastCycleF2)})`,
      perform: async (ctx) => {
        const v = await this.deps.training.evaluate(runId, data, rul, ctx);
        const headline = v.models.find((m) => m.model === 'ensemble') ?? v.models.find((m) => m.model === 'gbdt') ?? v.models[0];
        const lastCycle = Object.fromEntries(v.models.map((m) => [m.model, { f2: m.scores.lastCycle.f2, rocAuc: m.scores.lastCycle.rocAuc }]));
        const allCycles = Object.fromEntries(v.models.map((m) => [m.model, { f2: m.scores.allCycles.f2, rocAuc: m.scores.allCycles.rocAuc }]));
        const lastCycleF2 = headline?.scores.lastCycle.f2 ?? null;
        return {
          output: { runId, data: basename(data), rulFile: basename(rul), lastCycleF2, lastCycle, allCycles, ...(v.rul === undefined ? {} : { rul: v.rul }) },
          summary: `scored run ${runId} on ${basename(data)}: last-cycle F2 ${fmt(lastCycleF2)}, all-cycles F2 ${fmt(headline?.scores.allCycles.f2)}`,
        };
      },
    };
  }

  private bundleExists(o: Output): boolean {
    if (typeof o.bundleId !== 'string') return false;
    try {
      return existsSync(this.deps.exports.bundlePath(o.bundleId));
    } catch {
      return false;
    }
  }

  private prepareExport(spec: Step<'export'>, up: Upstream): Prepared {
    const runId = str(up.train, 'runId');
    return {
      inputs: { runId, zip: spec.zip },
      script: this.deps.training.workerScript('export-worker'),
      valid: (o) => this.bundleExists(o),
      describe: (o) => `bundle ${String(o.bundleId)}`,
      perform: async (ctx) => {
        const b = await this.deps.exports.exportToLibrary(runId, spec.zip, ctx);
        return { output: { bundleId: b.bundleId, runId }, summary: `exported run ${runId} as bundle ${b.bundleId}` };
      },
    };
  }

  /** Drift and report read the model from the exported bundle when there is one, else from the run. */
  private modelOf(up: Upstream): { runId: string } | { bundleId: string } {
    return up.export !== undefined ? { bundleId: str(up.export, 'bundleId') } : { runId: str(up.train, 'runId') };
  }

  private async prepareDrift(spec: Step<'drift'>, base: InputBase, up: Upstream): Promise<Prepared> {
    const source = this.modelOf(up);
    const data = resolveInputFile(base, spec.data, 'steps.drift.data');
    const rul = spec.rul === undefined ? undefined : resolveInputFile(base, spec.rul, 'steps.drift.rul');
    return {
      inputs: { source, dataSha256: await fileSha256(data), rulSha256: rul === undefined ? null : await fileSha256(rul), method: spec.method ?? 'auto' },
      script: this.deps.training.workerScript('drift-worker'),
      valid: (o) => typeof o.reportId === 'string' && this.deps.store.getDriftReport(o.reportId) !== undefined,
      describe: (o) => `drift report ${String(o.reportId)}`,
      perform: async (ctx) => {
        const request = await this.deps.drift.prepare({ source, current: { file: data, ...(rul === undefined ? {} : { rul }) }, ...(spec.method === undefined ? {} : { method: spec.method }) });
        const r = await this.deps.drift.compute(request, ctx);
        return {
          output: { reportId: r.reportId, datasetDrift: r.datasetDrift, driftedShare: r.driftedShare, estimatedF2: r.estimated.f2 },
          summary: `drift report ${r.reportId}: dataset drift ${r.datasetDrift ? 'YES' : 'no'} (${(r.driftedShare * 100).toFixed(1)} % of features drift)`,
        };
      },
    };
  }

  private async prepareReport(spec: Step<'report'>, base: InputBase, up: Upstream): Promise<Prepared> {
    const source = this.modelOf(up);
    const data = resolveInputFile(base, spec.data, 'steps.report.data');
    const rul = spec.rul === undefined ? undefined : resolveInputFile(base, spec.rul, 'steps.report.rul');
    return {
      inputs: {
        source,
        dataSha256: await fileSha256(data),
        rulSha256: rul === undefined ? null : await fileSha256(rul),
        title: spec.title ?? null,
        templateId: spec.templateId ?? null,
        createdAt: spec.createdAt ?? null,
        // a drift report made in this run is drawn in the report
        drift: up.drift?.reportId ?? null,
      },
      script: this.deps.training.workerScript('report-worker'),
      valid: (o) => {
        if (typeof o.reportId !== 'string') return false;
        try {
          this.deps.reports.get(o.reportId);
          return true;
        } catch {
          return false;
        }
      },
      describe: (o) => `report ${String(o.reportId)} (${String(o.pages)} pages)`,
      perform: async (ctx) => {
        const prepared = await this.deps.reports.prepare({
          ...source,
          dataPath: data,
          ...(rul === undefined ? {} : { rulPath: rul }),
          ...(spec.title === undefined ? {} : { title: spec.title }),
          ...(spec.templateId === undefined ? {} : { templateId: spec.templateId }),
          ...(spec.createdAt === undefined ? {} : { createdAt: spec.createdAt }),
        });
        const r = await this.deps.reports.generate(prepared, ctx);
        return {
          output: { reportId: r.reportId, pages: r.pages, units: r.units, atRisk: r.atRisk, sha256: r.sha256 },
          summary: `report ${r.reportId}: ${r.pages} pages, ${r.units} units, ${r.atRisk} at risk`,
        };
      },
    };
  }

  /**
   * Registers the bundle (else the run) as the model's next version and promotes it to Staging when
   * the registry's promotion checks pass (never forced); otherwise it stays at None and the step
   * names the failed checks. Either way the step is done: the checks decided, nothing broke.
   */
  private prepareRegister(spec: Step<'register'>, up: Upstream): Prepared {
    const source = this.modelOf(up);
    return {
      inputs: { source, model: spec.model, stage: spec.stage, drift: up.drift?.reportId ?? null },
      script: this.deps.training.workerScript('registry-worker'),
      valid: (o) => typeof o.model === 'string' && typeof o.version === 'number' && this.deps.store.registry().getVersion(o.model, o.version) !== undefined,
      describe: (o) => `${String(o.model)} version ${String(o.version)} (${String(o.stage)})`,
      perform: async (ctx) => {
        const v = await this.deps.registry.register({ model: spec.model, source }, ctx);
        const r = await this.deps.registry.promote({ model: v.model, version: v.version, stage: spec.stage, reason: 'pipeline: promotion checks passed' }, ctx);
        const failed = r.checks.filter((c) => c.status === 'failed');
        const stage = r.promoted ? spec.stage : v.stage;
        return {
          output: { model: v.model, version: v.version, stage, promoted: r.promoted, checks: r.checks, ...('runId' in source ? { runId: source.runId } : { bundleId: source.bundleId }) },
          summary: r.promoted
            ? `registered ${v.model} version ${v.version} and promoted it to ${spec.stage} (checks passed)`
            : `registered ${v.model} version ${v.version}, left at ${v.stage}: ${spec.stage} refused by the checks — ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
        };
      },
    };
  }
}

/** The pipeline files folder of a store. */
export function pipelineFilesDir(storeDir: string): string {
  return join(storeDir, 'pipeline-files');
}
