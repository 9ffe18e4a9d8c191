import { basename, join } from 'node:path';
import type { z } from 'zod';
import type { Channel, ChannelOutput, channels } from '../../shared/contract';
import { PrognosError } from '../../shared/errors';
import type { DatasetRegimes, ImportRequest, ImportResult, ImportSource } from '../../shared/schemas';
import { rulPerRow } from '../core/labels';
import { ExperimentStore } from '../core/store/store';
import type { NewDataset } from '../core/store/datasets';
import type { FleetTable } from '../core/data/table';
import { unitSpans } from '../core/data/table';
import { regimeScatter } from '../core/data/regimes';
import type { RegimesRequest } from '../workers/regimes-protocol';
import { toWire } from '../workers/import-protocol';
import { callWorker } from './worker-call';
import { EventBus } from './events';
import { DatasetImports } from './dataset-import';
import { JobManager, type JobContext } from './jobs';
import { UploadArea } from './uploads';
import { FileGrants } from './file-grants';
import { naming } from './redact';
import type { ToImportWorker } from '../workers/import-protocol';
import type { EarlyWorker } from './early-worker';
import { featureSpecJsonSchema } from '../core/features/spec';
import { parseTrainConfig, trainConfigJsonSchema } from '../core/pipeline/config';
import { TrainingService } from './training';
import { SweepService } from './sweep';
import { archiveFileName, ExportService } from './exports';
import { DriftService } from './drift';
import { AlertService, validationFiguresOf } from './alerts';
import { ReportService } from './reports';
import { ModelServerService } from './model-server';
import type { ServerLauncher } from './server-launcher';
import { HousekeepingService } from './housekeeping';
import { ExperimentService } from './experiments';
import { ColumnMappingService } from './column-mappings';
import { PipelineService, pipelineFilesDir } from './pipelines';
import { RegistryService } from './registry';
import { LiveResultsService } from './live-results';

export type Handlers = {
  [C in Channel]: (input: z.output<(typeof channels)[C]['input']>) => Promise<ChannelOutput<C>>;
};

export interface ServicesOptions {
  storeDir: string;
  mode: 'electron' | 'browser' | 'cli';
  /** built worker scripts (out/main/import-worker.js, out/main/train-worker.js) */
  importWorker: string;
  trainWorker: string;
  version: string;
  /** bundles shipped with the app (resources/models) */
  shippedBundles?: string;
  /** shows a path in the desktop file manager (Electron only) */
  reveal?: (path: string) => void;
  /** the report worker script (default: report-worker.js beside the train worker) */
  reportWorker?: string;
  /** where the desktop app saves reports (`reports:save`), e.g. ~/Documents/Prognos reports (Electron only) */
  reportsDir?: string;
  /** main's own open dialog (Electron only): the chosen path, or undefined when cancelled */
  chooseFile?: (purpose: 'data' | 'bundle-zip' | 'bundle-folder') => Promise<string | undefined>;
  /** main's own save dialog (Electron only): where to write a file named `defaultName`, or undefined when cancelled */
  chooseSavePath?: (defaultName: string) => Promise<string | undefined>;
  /** why the Export view cannot start a model server here */
  modelServerUnavailable?: string;
  /** how model servers are started (default: a Node child process; the desktop app: an Electron utility process) */
  modelServerLauncher?: ServerLauncher;
  /**
   * an import worker `prognos import` started with its request before these services loaded: the
   * import asking the same parse takes it (else, and at close, it is stopped)
   */
  earlyImport?: EarlyWorker<ToImportWorker>;
}

/** Everything behind the contract: store, jobs, uploads. Transports (IPC, HTTP, CLI) only route to it. */
export class AppServices {
  readonly store: ExperimentStore;
  readonly bus = new EventBus();
  readonly jobs: JobManager;
  readonly uploads: UploadArea;
  /** one-time handles for files chosen in the desktop app's open dialog */
  readonly grants = new FileGrants();
  readonly handlers: Handlers;
  readonly training: TrainingService;
  readonly sweeps: SweepService;
  readonly exports: ExportService;
  readonly drift: DriftService;
  readonly alerts: AlertService;
  readonly reports: ReportService;
  /** local model servers (`prognos serve-model` children) started from the Export view */
  readonly modelServers: ModelServerService;
  readonly housekeeping: HousekeepingService;
  readonly mappings: ColumnMappingService;
  /** files and synthetic fleets into the store */
  private readonly imports: DatasetImports;
  readonly pipelines: PipelineService;
  /** the model registry: versions, stages, promotion checks, lineage */
  readonly registry: RegistryService;
  /** experiments (notes, tags) and the comparison of runs */
  readonly experiments: ExperimentService;
  readonly live: LiveResultsService;
  private readonly tableCache = new Map<string, Promise<FleetTable>>();
  /** aborts the short worker calls (trends, series, bundle checks) still running when the services close */
  private readonly closing = new AbortController();

  constructor(private readonly opts: ServicesOptions) {
    this.store = ExperimentStore.open(opts.storeDir);
    this.mappings = new ColumnMappingService(this.store);
    this.jobs = new JobManager(this.bus);
    this.live = new LiveResultsService(this.store, this.jobs);
    this.uploads = new UploadArea(join(opts.storeDir, 'uploads'));
    this.training = new TrainingService(this.store, this.bus, opts.trainWorker);
    // the app's first chart or preview should not wait for the store worker's start; a CLI command reads once, if at all
    if (opts.mode !== 'cli') this.training.storeWorker.warm();
    // the app inserts an imported dataset in the store worker; a CLI command, whose thread serves no one, here
    const insert = opts.mode === 'cli' ? {} : { insert: (d: NewDataset) => this.training.storeWorker.insertDataset(d) };
    this.imports = new DatasetImports(this.store, this.mappings, this.uploads, { importWorker: opts.importWorker, ...(opts.earlyImport === undefined ? {} : { earlyImport: opts.earlyImport }), ...insert });
    this.sweeps = new SweepService(this.store, this.training, this.bus, (id) => this.table(id));
    this.exports = new ExportService(this.store, this.training, opts.version, opts.shippedBundles, opts.reveal, (id) => this.table(id));
    this.drift = new DriftService(this.store, this.training, this.exports, this.jobs, (id) => this.table(id));
    this.alerts = new AlertService(this.store.alerts(), this.bus, { validationOf: (s) => this.validationOf(s), userAgent: `Prognos/${opts.version}` });
    this.drift.onStored(this.alerts.listener);
    this.reports = new ReportService(this.store, this.training, this.exports, this.jobs, (id) => this.table(id), {
      appVersion: opts.version,
      mode: opts.mode,
      ...(opts.reportsDir === undefined ? {} : { reportsDir: opts.reportsDir }),
      ...(opts.reveal === undefined ? {} : { reveal: opts.reveal }),
      ...(opts.reportWorker === undefined ? {} : { workerScript: opts.reportWorker }),
    });
    this.modelServers = new ModelServerService({ cliScript: this.training.workerScript('cli'), storeDir: opts.storeDir, bundlePath: (id) => this.exports.bundlePath(id), table: (id) => this.table(id), ...(opts.modelServerUnavailable === undefined ? {} : { unavailable: opts.modelServerUnavailable }), ...(opts.modelServerLauncher === undefined ? {} : { launcher: opts.modelServerLauncher }) });
    this.housekeeping = new HousekeepingService(this.store, this.exports, (id) => this.tableCache.delete(id));
    this.registry = new RegistryService(this.store, this.exports, this.training);
    this.experiments = new ExperimentService(this.store, this.training, { exports: this.exports, table: (id) => this.table(id), signal: this.closing.signal });
    this.pipelines = new PipelineService({
      store: this.store, jobs: this.jobs, training: this.training, exports: this.exports, drift: this.drift, reports: this.reports, registry: this.registry, table: (id) => this.table(id),
      importFile: (r, ctx) => this.imports.importResolved({ source: { kind: 'path', path: r.path }, ...(r.rul === undefined ? {} : { rul: { kind: 'path', path: r.rul } }), ...(r.format === undefined ? {} : { format: r.format }), ...(r.name === undefined ? {} : { name: r.name }) },
        { path: r.path, displayName: basename(r.path) }, r.rul === undefined ? undefined : { path: r.rul, displayName: basename(r.rul) }, ctx),
      importWorker: opts.importWorker, trainWorker: opts.trainWorker, version: opts.version, filesDir: pipelineFilesDir(opts.storeDir),
    });
    if (opts.mode !== 'cli') this.alerts.resumePending();
    this.handlers = this.createHandlers();
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.opts.earlyImport?.discard();
    await this.modelServers.close();
    await this.jobs.cancelAll();
    // a CLI command (drift) lets its webhook deliveries finish before it exits; the app stops them (resumed on the next open)
    if (this.opts.mode === 'cli') await this.alerts.idle();
    await this.alerts.close();
    await this.exports.close();
    await this.training.close();
    this.uploads.clear();
    this.store.close();
  }

  /**
   * A dataset's table, read and checked in a worker (store-worker.ts) into shared memory: reading a
   * large fleet takes the serving thread no time, and the workers that rank, trend and score it get
   * its columns without a copy. The two most recent stay in memory for previews and charts; callers
   * asking for one being read share that read.
   */
  table(datasetId: string): Promise<FleetTable> {
    const hit = this.tableCache.get(datasetId);
    if (hit !== undefined) {
      this.tableCache.delete(datasetId);
      this.tableCache.set(datasetId, hit);
      return hit;
    }
    if (this.store.getDataset(datasetId) === undefined) return Promise.reject(new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`));
    const loading = this.training.storeWorker.table(datasetId, this.closing.signal);
    this.tableCache.set(datasetId, loading);
    // a failed read is not kept: the next call reads again
    loading.catch(() => {
      if (this.tableCache.get(datasetId) === loading) this.tableCache.delete(datasetId);
    });
    while (this.tableCache.size > 2) this.tableCache.delete(this.tableCache.keys().next().value!);
    return loading;
  }

  /**
   * The file behind a source. Only the CLI (the user's own shell) may name a path; the desktop app
   * names files by a one-time handle from its own open dialog; browser mode only by upload. The
   * display name is what messages show: never a path on this machine.
   */
  private resolveSource(src: ImportSource): { path: string; displayName: string } {
    switch (src.kind) {
      case 'path':
        if (this.opts.mode !== 'cli') {
          throw new PrognosError('FORBIDDEN', 'A file path sent by the client is not accepted: upload the file or choose it in the open dialog.');
        }
        return { path: src.path, displayName: basename(src.path) };
      case 'grant': {
        if (this.opts.mode !== 'electron') throw new PrognosError('FORBIDDEN', 'File handles are issued by the desktop app only: upload the file.');
        const g = this.grants.consume(src.grant);
        return { path: g.path, displayName: g.fileName };
      }
      case 'upload': {
        const f = this.uploads.resolve(src.uploadId);
        return { path: f.path, displayName: basename(src.fileName.replaceAll('\\', '/')) };
      }
    }
  }

  /** Parse in a worker, then commit in one transaction: after a failure or cancel the store is as before. */
  async importDataset(req: ImportRequest, ctx: JobContext): Promise<ImportResult> {
    return this.imports.importResolved(req, this.resolveSource(req.source), req.rul === undefined ? undefined : this.resolveSource(req.rul), ctx);
  }

  async synthDataset(units: number, seed: number, name: string | undefined, ctx: JobContext): Promise<ImportResult> {
    return this.imports.synthDataset(units, seed, name, ctx);
  }

  /** Records a run and starts its training job. */
  startTraining(datasetId: string, configInput: unknown, experiment?: string): { jobId: string; runId: string } {
    // the run is recorded now (the call answers at once, the run already counted in its experiment);
    // its table is read in the job
    const { runId, config } = this.training.createRun(datasetId, configInput, this.experiments.experimentFor(experiment));
    const jobId = this.jobs.start('train', (ctx) => this.training.run(runId, this.table(datasetId), config, ctx), { datasetId, runId });
    return { jobId, runId };
  }

  /** NOT_FOUND for an unknown dataset: checked before a job starts, so a bad request fails the call. */
  private requireDataset(datasetId: string): void {
    if (this.store.getDataset(datasetId) === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
  }

  /** A drift report's source run's validation figures (a bundle's: of the run it was exported from, when in this store). */
  private async validationOf(source: { kind: 'run' | 'bundle'; id: string }): Promise<ReturnType<typeof validationFiguresOf>> {
    const runId = source.kind === 'run' ? source.id : (await this.exports.list()).find((b) => b.bundleId === source.id)?.runId;
    const run = runId === undefined ? undefined : this.store.getRun(runId);
    return run === undefined ? null : validationFiguresOf(run.result);
  }

  private createHandlers(): Handlers {
    return {
      ...this.alerts.handlers(),
      ...this.modelServers.handlers(),
      ...this.mappings.handlers(),
      ...this.experiments.handlers(),
      ...this.sweeps.handlers(this.jobs),
      ...this.live.handlers(),
      'app:info': () =>
        Promise.resolve({ version: this.opts.version, mode: this.opts.mode === 'electron' ? 'electron' : 'browser', storeDir: this.opts.storeDir, platform: process.platform }),
      'datasets:list': () => Promise.resolve(this.store.listDatasets()),
      'datasets:get': ({ datasetId }) => {
        const d = this.store.getDataset(datasetId);
        if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
        return Promise.resolve(d);
      },
      'datasets:units': async ({ datasetId }) => {
        const t = await this.table(datasetId);
        return unitSpans(t).map((s) => ({ unit: s.unit, cycles: s.end - s.start }));
      },
      'datasets:preview': ({ datasetId, offset, limit }) => {
        // only the requested rows leave SQLite: each column blob is sliced in the query
        const r = this.store.loadRows(datasetId, offset, limit);
        const rows: number[][] = [];
        for (let i = 0; i < r.unit.length; i++) {
          const row = [r.unit[i]!, r.cycle[i]!];
          for (const v of r.values) row.push(v[i]!);
          rows.push(row);
        }
        return Promise.resolve({ columns: ['unit', 'cycle', ...r.columns.map((c) => c.name)], totalRows: r.totalRows, offset: r.offset, rows });
      },
      'datasets:series': async ({ datasetId, units, columns }) => {
        const t = await this.table(datasetId);
        const index = new Map(t.columns.map((c, i) => [c.name, i]));
        for (const c of columns) if (!index.has(c)) throw new PrognosError('INVALID_INPUT', `Dataset has no column "${c}".`);
        const rul = rulPerRow(t);
        const wanted = new Set(units);
        const out = unitSpans(t)
          .filter((s) => wanted.has(s.unit))
          .map((s) => ({
            unit: s.unit,
            cycle: Array.from(t.cycle.subarray(s.start, s.end)),
            rul: Array.from(rul.subarray(s.start, s.end)),
            values: Object.fromEntries(columns.map((c) => [c, Array.from(t.values[index.get(c)!]!.subarray(s.start, s.end))])),
          }));
        return { units: out };
      },
      'datasets:regimes': async ({ datasetId }) => {
        const d = this.store.getDataset(datasetId);
        if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
        let regimes = d.regimes;
        if (regimes === null) {
          // imported before detection existed: detect now, in a worker, and keep the answer
          const request: RegimesRequest = { table: toWire(await this.table(datasetId)) };
          regimes = (await callWorker<RegimesRequest, DatasetRegimes>(this.training.workerScript('regimes-worker'), request, { signal: this.closing.signal })).value;
          this.store.setDatasetRegimes(datasetId, regimes);
        }
        // every n-th row of the settings (at most 5,000): a strided read and a nearest-centroid test per point
        const points = regimeScatter(await this.table(datasetId), regimes, 5000);
        return { regimes, axes: points?.axes ?? [], x: points?.x ?? [], y: points?.y ?? [], regime: points?.regime ?? [], totalRows: d.rows };
      },
      'datasets:delete': async ({ datasetId }) => ({ deleted: (await this.housekeeping.delete({ kind: 'dataset', datasetId })).deleted }),
      'datasets:setRole': ({ datasetId, role }) => Promise.resolve(this.housekeeping.setRole(datasetId, role)),
      'datasets:rename': ({ datasetId, name }) => Promise.resolve(this.housekeeping.renameDataset(datasetId, name)),
      'runs:rename': ({ runId, name }) => Promise.resolve(this.housekeeping.renameRun(runId, name)),
      'bundles:rename': ({ bundleId, name }) => this.housekeeping.renameBundle(bundleId, name),
      'bundles:delete': async ({ bundleId }) => ({ deleted: (await this.housekeeping.delete({ kind: 'bundle', bundleId })).deleted }),
      'housekeeping:impact': ({ target }) => this.housekeeping.impact(target),
      'datasets:import': (req) => {
        // resolve sources now (once: a handle is used up) so a bad one fails the call, not the job
        const data = this.resolveSource(req.source);
        const rul = req.rul === undefined ? undefined : this.resolveSource(req.rul);
        return Promise.resolve({ jobId: this.jobs.start('import', (ctx) => this.imports.importResolved(req, data, rul, ctx)) });
      },
      'datasets:synth': ({ units, seed, name }) =>
        Promise.resolve({ jobId: this.jobs.start('synth', (ctx) => this.synthDataset(units, seed, name, ctx)) }),
      'jobs:cancel': ({ jobId }) => Promise.resolve({ cancelled: this.jobs.cancel(jobId) }),
      'jobs:get': ({ jobId }) => Promise.resolve(this.jobs.status(jobId)),
      'config:schemas': () =>
        Promise.resolve({ trainConfig: trainConfigJsonSchema, featureSpec: featureSpecJsonSchema, defaults: { trainConfig: parseTrainConfig({}) } }),
      'features:rank': ({ datasetId, config }) => {
        this.requireDataset(datasetId);
        parseTrainConfig(config);
        return Promise.resolve({
          jobId: this.jobs.start('rank', async (ctx) => this.live.rankingDone(datasetId, config, await this.training.rank(datasetId, await this.table(datasetId), config, ctx)), { datasetId }),
        });
      },
      'features:trend': async ({ datasetId, feature, units, config }) => this.training.trend(await this.table(datasetId), feature, units, config, { signal: this.closing.signal }),
      'train:start': ({ datasetId, config, experiment }) => Promise.resolve(this.startTraining(datasetId, config, experiment)),
      'runs:list': ({ datasetId }) => Promise.resolve(this.store.listRuns(datasetId === undefined ? undefined : { datasetId }).map((r) => this.training.summary(r))),
      'runs:get': ({ runId }) => Promise.resolve(this.training.detail(runId)),
      'runs:delete': async ({ runId }) => ({ deleted: (await this.housekeeping.delete({ kind: 'run', runId })).deleted }),
      'runs:setEnsemble': ({ runId, weight, threshold }) => {
        this.training.setEnsemble(runId, weight, threshold);
        return Promise.resolve({ saved: true });
      },
      'bundles:list': () => this.exports.list(),
      'registry:list': () => Promise.resolve(this.registry.list()),
      'registry:register': ({ model, runId, bundleId }) => this.registry.register({ model, source: runId !== undefined ? { runId } : { bundleId: bundleId ?? '' } }, { signal: this.closing.signal }),
      'registry:check': async ({ model, version, stage }) => ({ checks: (await this.registry.check(model, version, stage, { signal: this.closing.signal })).checks }),
      'registry:promote': ({ model, version, stage, reason, force }) =>
        this.registry.promote({ model, version, stage, ...(reason === undefined ? {} : { reason }), ...(force === undefined ? {} : { force }) }, { signal: this.closing.signal }),
      'registry:history': ({ model }) => Promise.resolve(this.registry.history(model)),
      'registry:lineage': ({ model, version }) => Promise.resolve(this.registry.lineage(model, version)),
      'bundles:export': ({ runId, zip }) => {
        this.training.finished(runId); // a missing or unfinished run fails the call, not the job
        return Promise.resolve({ jobId: this.jobs.start('export', (ctx) => this.exports.exportToLibrary(runId, zip ?? false, ctx)) });
      },
      'bundles:import': async ({ source, duplicates, name }) => {
        const { path, displayName } = this.resolveSource(source);
        try {
          return await this.exports.importBundle(path, displayName, { signal: this.closing.signal }, { ...(duplicates === undefined ? {} : { duplicates }), ...(name === undefined ? {} : { name }) });
        } catch (e) {
          throw naming(e, path, displayName);
        } finally {
          if (source.kind === 'upload') this.uploads.discard(source.uploadId);
        }
      },
      'bundles:verify': ({ bundleId }) => this.exports.verifyById(bundleId, { signal: this.closing.signal }),
      'bundles:reveal': ({ bundleId }) => Promise.resolve(this.exports.revealById(bundleId)),
      'bundles:save': async ({ bundleId }) => {
        if (this.opts.mode !== 'electron' || this.opts.chooseSavePath === undefined) throw new PrognosError('FORBIDDEN', 'The save dialog exists in the desktop app only; browser mode downloads the bundle.');
        const fileName = archiveFileName(bundleId, this.store.housekeeping().bundleNames().get(bundleId) ?? null);
        this.exports.bundlePath(bundleId);
        const dest = await this.opts.chooseSavePath(fileName);
        return dest === undefined ? null : this.exports.saveArchive(bundleId, dest, { signal: this.closing.signal });
      },
      'bundles:card': ({ bundleId }) => this.exports.card(bundleId, { signal: this.closing.signal }),
      'keys:list': () => Promise.resolve({ keys: this.store.trustedKeys(), policy: this.store.trustPolicy() }),
      'keys:add': ({ pem, name }) => Promise.resolve({ ...this.store.addTrustedKey(pem, name, `key "${name}"`), policy: this.store.trustPolicy() }),
      'keys:remove': ({ keyId }) => Promise.resolve({ key: this.store.removeTrustedKey(keyId), policy: this.store.trustPolicy() }),
      'keys:policy': ({ setting }) => Promise.resolve(this.store.setTrustPolicy(setting)),
      'fleet:score': ({ datasetId, scorer }) => {
        // an unknown dataset or run fails the call, not the job
        this.requireDataset(datasetId);
        if (scorer.kind === 'run') this.training.finished(scorer.runId);
        return Promise.resolve({
          jobId: this.jobs.start('score', async (ctx) => this.live.scoresDone(datasetId, scorer, await this.exports.scoreFleet(scorer, await this.table(datasetId), ctx)), { datasetId, scorer }),
        });
      },
      'fleet:series': async ({ datasetId, scorer, units }) => this.exports.series(scorer, await this.table(datasetId), units, { signal: this.closing.signal }),
      'drift:start': ({ source, datasetId, ...choices }) => this.drift.start({ source, current: { datasetId }, ...choices }),
      'drift:list': (filter) => Promise.resolve(this.drift.list(filter)),
      'drift:get': ({ reportId }) => Promise.resolve(this.drift.get(reportId)),
      'drift:delete': ({ reportId }) => Promise.resolve({ deleted: this.drift.delete(reportId) }),
      'reports:start': async (req) => ({ jobId: await this.reports.start(req) }),
      'reports:list': (filter) => Promise.resolve(this.reports.list(filter)),
      'reports:get': ({ reportId }) => Promise.resolve(this.reports.get(reportId)),
      'reports:file': ({ reportId }) => Promise.resolve(this.reports.file(reportId)),
      'reports:save': ({ reportId }) => Promise.resolve(this.reports.save(reportId)),
      'reports:reveal': ({ reportId }) => Promise.resolve(this.reports.reveal(reportId)),
      'reports:delete': ({ reportId }) => Promise.resolve({ deleted: this.reports.delete(reportId) }),
      'templates:list': () => Promise.resolve(this.reports.listTemplates()),
      'templates:save': (input) => Promise.resolve(this.reports.saveTemplate(input)),
      'templates:delete': ({ templateId }) => Promise.resolve({ deleted: this.reports.deleteTemplate(templateId) }),
      'files:choose': async ({ purpose }) => {
        if (this.opts.mode !== 'electron' || this.opts.chooseFile === undefined) throw new PrognosError('FORBIDDEN', 'The open dialog exists in the desktop app only.');
        const path = await this.opts.chooseFile(purpose);
        return path === undefined ? null : this.grants.issue(path);
      },
      'pipelines:list': () => Promise.resolve(this.pipelines.listSaved()),
      'pipelines:save': ({ pipelineId, text }) => Promise.resolve(this.pipelines.save(pipelineId, text)),
      'pipelines:delete': ({ pipelineId }) => Promise.resolve({ deleted: this.pipelines.deleteSaved(pipelineId) }),
      'pipelines:run': (input) => Promise.resolve(this.pipelines.startFromApp(input)),
      'pipelines:history': ({ limit }) => Promise.resolve(this.pipelines.history(limit)),
      'pipelines:getRun': ({ pipelineRunId }) => Promise.resolve(this.pipelines.get(pipelineRunId)),
      'pipelines:schema': () => Promise.resolve(this.pipelines.schema()),
      'uploads:chunk': async ({ uploadId, fileName, data, done }) => {
        if (this.opts.mode !== 'electron') throw new PrognosError('FORBIDDEN', 'Chunked uploads are for the desktop app; browser mode uploads to /api/upload.');
        return { uploadId: await this.uploads.receiveChunk(uploadId, fileName, data, done) };
      },
    };
  }
}
