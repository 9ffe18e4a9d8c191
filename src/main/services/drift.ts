/**
 * Drift reports: jobs that compare current data with a run's or a bundle's reference in a worker
 * thread, the stored history, and the listeners told of every new report (alerts subscribe here).
 * The worker computes; this service validates the request, hands the worker what it needs (tables
 * in shared memory, the run's artifacts), and stores the report on the thread that owns the store.
 */
import { basename } from 'node:path';
import { PrognosError } from '../../shared/errors';
import { DEFAULT_DATASET_DRIFT_SHARE, DEFAULT_DRIFT_THRESHOLDS, type DriftReport, type DriftReportSummary, type DriftRequest } from '../../shared/drift';
import type { FleetTable } from '../core/data/table';
import type { ExperimentStore } from '../core/store/store';
import type { DriftCurrentSource, DriftOptions, DriftReferenceSource, DriftWorkerRequest, DriftWorkerValue } from '../workers/drift-protocol';
import { toWire } from '../workers/import-protocol';
import type { ExportService } from './exports';
import type { JobManager } from './jobs';
import { logger } from './logger';
import type { TrainingService } from './training';
import { callWorker, UNCANCELLED, type WorkerCallContext } from './worker-call';

const log = logger('drift');

export type DriftListener = (report: DriftReport) => void;

/** Where the current data comes from: a dataset id (every transport) or a file path (the CLI only). */
export type DriftCurrentInput = { readonly datasetId: string } | { readonly file: string; readonly rul?: string };
/** Where the reference comes from: a run, a bundle of the library by id, or (the CLI only) a bundle path. */
export type DriftSourceInput = { readonly runId: string } | { readonly bundleId: string } | { readonly bundlePath: string };

export interface DriftJobInput {
  readonly source: DriftSourceInput;
  readonly current: DriftCurrentInput;
  readonly method?: DriftRequest['method'];
  readonly thresholds?: DriftRequest['thresholds'];
  readonly datasetDriftShare?: number;
  readonly comparison?: DriftRequest['comparison'];
  readonly lives?: DriftRequest['lives'];
  readonly chunking?: DriftRequest['chunking'];
  readonly seed?: number;
  /** whether the trust policy must be met by a bundle's signature even when the store's policy does not require it */
  readonly requireSigned?: boolean;
}

export class DriftService {
  private readonly listeners = new Set<DriftListener>();

  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly exports: ExportService,
    private readonly jobs: JobManager,
    /** a dataset's table in shared memory (NOT_FOUND for an unknown id) */
    private readonly table: (datasetId: string) => Promise<FleetTable>,
  ) {}

  /** Tells `listener` of every report stored from now on; returns the unsubscribe. A failing listener never fails the job. */
  onStored(listener: DriftListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks the request and gathers what the worker needs, so a bad request fails the call, not the
   * job: NOT_FOUND names an unknown run, bundle or dataset; CONFLICT a run that is not finished.
   */
  async prepare(input: DriftJobInput): Promise<DriftWorkerRequest> {
    return { reference: await this.referenceOf(input.source, input.requireSigned === true), current: await this.currentOf(input.current), options: optionsOf(input) };
  }

  private async referenceOf(src: DriftSourceInput, requireSigned: boolean): Promise<DriftReferenceSource> {
    if ('runId' in src) {
      const artifacts = await this.training.loadArtifacts(src.runId, UNCANCELLED);
      const datasetId = artifacts.record.datasetId;
      if (this.store.getDataset(datasetId) === undefined) throw new PrognosError('NOT_FOUND', `The dataset ${datasetId} run ${src.runId} was trained on is gone, and with it the run's reference.`);
      return { kind: 'run', runId: src.runId, label: `run ${src.runId}`, artifacts, trainingTable: toWire(await this.table(datasetId)) };
    }
    const trust = this.exports.trustOptions({ requireSigned });
    if ('bundleId' in src) {
      const path = this.exports.bundlePath(src.bundleId);
      return { kind: 'bundle', bundleId: src.bundleId, label: `bundle ${src.bundleId}`, path, trust };
    }
    // a bundle named by its path (the CLI): its history is kept under the file's name
    const name = basename(src.bundlePath);
    return { kind: 'bundle', bundleId: `file:${name}`, label: `bundle ${name}`, path: src.bundlePath, trust };
  }

  private async currentOf(cur: DriftCurrentInput): Promise<DriftCurrentSource> {
    if ('datasetId' in cur) {
      const d = this.store.getDataset(cur.datasetId);
      if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${cur.datasetId}.`);
      return { kind: 'dataset', datasetId: cur.datasetId, label: d.name, table: toWire(await this.table(cur.datasetId)) };
    }
    return {
      kind: 'file',
      path: cur.file,
      displayName: basename(cur.file),
      ...(cur.rul === undefined ? {} : { rulPath: cur.rul, rulDisplayName: basename(cur.rul) }),
    };
  }

  /** Starts a drift job; its result is `{ reportId }` of the stored report. */
  async start(input: DriftJobInput): Promise<{ jobId: string }> {
    const request = await this.prepare(input);
    return { jobId: this.jobs.start('drift', async (ctx) => ({ reportId: (await this.compute(request, ctx)).reportId })) };
  }

  /** Computes in a worker thread, stores the report, tells the listeners; returns the stored report. */
  async compute(request: DriftWorkerRequest, ctx: WorkerCallContext): Promise<DriftReport> {
    ctx.progress?.(0, 'Comparing with the reference…');
    const body = (await callWorker<DriftWorkerRequest, DriftWorkerValue>(this.training.workerScript('drift-worker'), request, ctx)).value;
    if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Drift report cancelled.');
    const report = this.store.addDriftReport(body);
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (e) {
        log.error(`a listener failed on drift report ${report.reportId}`, e);
      }
    }
    ctx.progress?.(1, 'Drift report stored.');
    return report;
  }

  list(filter: { runId?: string; bundleId?: string }): DriftReportSummary[] {
    return this.store.listDriftReports(filter);
  }

  get(reportId: string): DriftReport {
    const r = this.store.getDriftReport(reportId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No drift report ${reportId}.`);
    return r;
  }

  delete(reportId: string): boolean {
    return this.store.deleteDriftReport(reportId);
  }
}

/** The request's choices with the defaults filled in (thresholds per method: the user's over the defaults). */
function optionsOf(input: DriftJobInput): DriftOptions {
  return {
    method: input.method ?? 'auto',
    thresholds: { ...DEFAULT_DRIFT_THRESHOLDS, ...input.thresholds },
    datasetDriftShare: input.datasetDriftShare ?? DEFAULT_DATASET_DRIFT_SHARE,
    comparison: input.comparison ?? 'auto',
    lives: input.lives ?? 'auto',
    ...(input.chunking === undefined ? {} : { chunking: input.chunking }),
    seed: input.seed ?? 1,
  };
}
