/**
 * PDF maintenance reports: jobs that render a report in the report worker, the stored history, the
 * PDF's bytes for preview and saving, and report templates.
 *
 * This service resolves everything that lives in the store — the dataset's table (shared memory),
 * the run's artifacts or the bundle's path and trust policy, the template, the previous report of
 * the same fleet, the latest drift verdict — into one `ReportWorkerRequest`; the worker does the
 * rest and answers with the PDF, which is stored here, on the thread that owns the store. The app
 * (a dataset id) and the CLI (file paths) meet in `start`, so both produce the same bytes for the
 * same data, model, template and creation time.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PrognosError } from '../../shared/errors';
import type { DriftReport } from '../../shared/drift';
import type { DatasetSummary } from '../../shared/schemas';
import type { ReportHealth, ReportInputs, ReportRecord, ReportRequest, ReportTemplate, StoredTemplate } from '../../shared/report';
import type { FleetTable } from '../core/data/table';
import { parseTemplateText, templateSha256 } from '../core/report/template';
import { sha256Hex } from '../core/store/blobs';
import { BUILT_IN_TEMPLATE_ID, type FleetReportStore } from '../core/store/reports';
import type { ExperimentStore } from '../core/store/store';
import { toWire } from '../workers/import-protocol';
import type { ReportFleetSource, ReportModelSource, ReportWorkerRequest, ReportWorkerValue } from '../workers/report-protocol';
import type { ExportService } from './exports';
import type { JobManager } from './jobs';
import type { TrainingService } from './training';
import { callWorker, UNCANCELLED, type WorkerCallContext } from './worker-call';

/** The model of a report given by the CLI: a run, a bundle of the library by id, or a bundle folder or .zip by path. */
export type ReportModelInput = { readonly runId: string } | { readonly bundleId: string } | { readonly bundlePath: string };

/** The CLI's form of a report request: the fleet is a file (parsed in the worker, never imported). */
export type ReportFileInput = ReportModelInput & {
  readonly dataPath: string;
  readonly rulPath?: string;
  /** a template already parsed from `--template FILE` (parseTemplateText); else `templateId`, else the built-in */
  readonly template?: ReportTemplate;
  /** the template file's name, for the history */
  readonly templateFileName?: string;
  readonly templateId?: string;
  /** the bundle's signature must be by a trusted key even when the store's policy does not ask for it */
  readonly requireSigned?: boolean;
  readonly title?: string;
  readonly notes?: string;
  readonly fleet?: string;
  /** ISO 8601; now when absent */
  readonly createdAt?: string;
};

export type ReportStartInput = ReportRequest | ReportFileInput;

export interface ReportServiceOptions {
  readonly appVersion: string;
  /** 'electron': the desktop app (the only one that saves into a folder of the user's) */
  readonly mode: 'electron' | 'browser' | 'cli';
  /** where the desktop app saves reports (e.g. ~/Documents/Prognos reports) */
  readonly reportsDir?: string;
  /** shows a path in the desktop file manager */
  readonly reveal?: (path: string) => void;
  /** the report worker script (default: out/main/report-worker.js beside the other workers) */
  readonly workerScript?: string;
  /** the clock, for a report without a fixed creation time */
  readonly now?: () => number;
}

/** A prepared job: the worker's request and what the stored record needs beside the worker's answer. */
interface Prepared {
  readonly request: ReportWorkerRequest;
  readonly datasetId: string | null;
  readonly templateName: string;
  readonly inputs: ReportInputs;
}

/** `name` without its extension (`test_FD001.txt` → `test_FD001`); a name that is only an extension stays. */
export function withoutExtension(name: string): string {
  const m = /^(.+?)\.[A-Za-z0-9]{1,8}$/.exec(name);
  return m === null ? name : m[1]!;
}

/** `<fleet>-<yyyymmdd-hhmm>.pdf` (UTC): the fleet's name in ASCII letters, digits, `_` and `-` only (accents dropped, the rest becomes `-`). */
/**
 * The report worker's old-generation heap limit (MiB): enough for the fleet's table, its scores and
 * the drawing, and low enough that V8 collects the charts' garbage instead of growing the heap (a
 * 1,000-unit report peaks near 400 MiB of process RSS with it, above 530 MiB without).
 */
export function reportHeapLimitMb(fleet: ReportFleetSource): number {
  const MiB = 2 ** 20;
  let inputMiB: number;
  if (fleet.kind === 'file') {
    const size = (path: string | undefined): number => {
      if (path === undefined) return 0;
      try {
        return statSync(path).size;
      } catch {
        return 0; // the worker names a missing file
      }
    };
    // text: a C-MAPSS row of 26 numbers is ~110 bytes, 208 bytes parsed (float64), more while parsing
    inputMiB = (4 * (size(fleet.path) + size(fleet.rulPath))) / MiB;
  } else {
    const t = fleet.table;
    inputMiB = (2 * (t.unit.byteLength + t.cycle.byteLength + t.values.reduce((a, v) => a + v.byteLength, 0))) / MiB;
  }
  return Math.min(16_384, Math.ceil(160 + inputMiB));
}

export function reportFileName(fleet: string, createdAt: string): string {
  const safe = fleet
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  const t = new Date(createdAt);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = Number.isFinite(t.getTime())
    ? `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}-${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}`
    : 'undated';
  return `${safe === '' ? 'report' : safe}-${stamp}.pdf`;
}

/** The creation time as stored and drawn: UTC with milliseconds, so that times compare as text. */
function normaliseTime(iso: string, what: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new PrognosError('INVALID_INPUT', `${what}: "${iso}" is not a time (ISO 8601, e.g. 2026-03-01T08:00:00Z).`);
  return new Date(t).toISOString();
}

/** What the import found worth saying (the worker adds what it sees in the table against the model). */
function importNotes(summary: DatasetSummary): string[] {
  return summary.constantColumns.length > 0 ? [`Constant columns (no information): ${summary.constantColumns.join(', ')}.`] : [];
}

function driftSummary(r: DriftReport): NonNullable<ReportHealth['drift']> {
  return {
    reportId: r.reportId,
    createdAt: r.createdAt,
    datasetDrift: r.datasetDrift,
    driftedShare: r.driftedShare,
    drifted: r.features.filter((f) => f.drifted).map((f) => f.name),
    domainAuc: Number.isFinite(r.multivariate.domainAuc) ? r.multivariate.domainAuc : null,
    estimatedF2: r.estimated.f2,
  };
}

export class ReportService {
  private readonly reports: FleetReportStore;
  private readonly now: () => number;

  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly exports: ExportService,
    private readonly jobs: JobManager,
    /** a dataset's table in shared memory (NOT_FOUND for an unknown id) */
    private readonly table: (datasetId: string) => Promise<FleetTable>,
    private readonly opts: ReportServiceOptions,
  ) {
    this.reports = store.fleetReports();
    this.now = opts.now ?? Date.now;
  }

  // ── generating ────────────────────────────────────────────────────────────────────────────────

  /**
   * Checks the request and gathers what the worker needs, so a bad request fails the call, not the
   * job: NOT_FOUND names an unknown dataset, run, bundle or template; CONFLICT a run not finished.
   */
  async prepare(input: ReportStartInput): Promise<Prepared> {
    const createdAt = normaliseTime(input.createdAt ?? new Date(this.now()).toISOString(), 'createdAt');
    const { template, templateLabel } = this.templateOf(input);
    const fileForm = 'dataPath' in input;
    const modelInput: ReportModelInput = fileForm ? input : input.scorer.kind === 'run' ? { runId: input.scorer.runId } : { bundleId: input.scorer.bundleId };
    const model = await this.modelOf(modelInput, fileForm ? input.requireSigned === true : false);
    let fleet: ReportFleetSource;
    let defaultName: string;
    let datasetId: string | null = null;
    let dataFile: string;
    let rulFile: string | null;
    if (fileForm) {
      dataFile = basename(input.dataPath);
      rulFile = input.rulPath === undefined ? null : basename(input.rulPath);
      fleet = {
        kind: 'file',
        path: input.dataPath,
        displayName: dataFile,
        ...(input.rulPath === undefined ? {} : { rulPath: input.rulPath, rulDisplayName: rulFile! }),
      };
      defaultName = withoutExtension(dataFile);
    } else {
      const d = this.store.getDataset(input.datasetId);
      if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${input.datasetId}.`);
      datasetId = d.datasetId;
      // older stores kept the path the file was imported from: only its name is shown
      dataFile = basename(d.sourceFile.replaceAll('\\', '/'));
      rulFile = d.rulFile === null ? null : basename(d.rulFile.replaceAll('\\', '/'));
      fleet = { kind: 'dataset', datasetId: d.datasetId, table: toWire(await this.table(d.datasetId)), fileName: dataFile, rulFileName: rulFile, fingerprint: d.fingerprint, quality: importNotes(d.summary), sensors: this.store.columnMappings().datasetCatalogue(d.datasetId) };
      defaultName = withoutExtension(d.name);
    }
    const given = input.fleet?.trim() ?? '';
    const fleetName = given === '' ? defaultName : given;
    const previous = this.reports.previous(fleetName, createdAt);
    const request: ReportWorkerRequest = {
      model,
      fleet,
      fleetName,
      template,
      templateSha256: templateSha256(template),
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.notes === undefined ? {} : { notes: input.notes }),
      createdAt,
      appVersion: this.opts.appVersion,
      previous,
      drift: this.latestDrift(modelInput, fleet, createdAt),
    };
    const inputs: ReportInputs = {
      dataFile,
      rulFile,
      model: 'runId' in modelInput ? `run ${modelInput.runId}` : 'bundleId' in modelInput ? `bundle ${modelInput.bundleId}` : `bundle file ${basename(modelInput.bundlePath)}`,
      template: templateLabel,
      title: input.title ?? null,
      fleet: input.fleet ?? null,
      createdAt: input.createdAt ?? null,
      notes: input.notes ?? '',
    };
    return { request, datasetId, templateName: template.name, inputs };
  }

  private templateOf(input: ReportStartInput): { template: ReportTemplate; templateLabel: string } {
    if ('dataPath' in input && input.template !== undefined) {
      return { template: input.template, templateLabel: input.templateFileName ?? input.template.name };
    }
    const id = input.templateId ?? BUILT_IN_TEMPLATE_ID;
    const stored = this.reports.getTemplate(id);
    if (stored === undefined) throw new PrognosError('NOT_FOUND', `No report template ${id}.`);
    return { template: stored.template, templateLabel: stored.template.name };
  }

  private async modelOf(m: ReportModelInput, requireSigned: boolean): Promise<ReportModelSource> {
    if ('runId' in m) return { kind: 'run', runId: m.runId, artifacts: await this.training.loadArtifacts(m.runId, UNCANCELLED) };
    const trust = this.exports.trustOptions({ requireSigned });
    if ('bundleId' in m) return { kind: 'bundle', bundleId: m.bundleId, path: this.exports.bundlePath(m.bundleId), trust };
    return { kind: 'bundle', bundleId: null, path: m.bundlePath, trust };
  }

  /**
   * The latest drift report of this model on this fleet's data made at or before the report's
   * creation time (so a report made again with the same time shows the same verdict). Drift reports
   * name their data by dataset id or by file name, and a bundle by its id (a bundle file as
   * `file:<name>`), as the drift service records them.
   */
  private latestDrift(m: ReportModelInput, fleet: ReportFleetSource, createdAt: string): ReportHealth['drift'] | null {
    const filter = 'runId' in m ? { runId: m.runId } : { bundleId: 'bundleId' in m ? m.bundleId : `file:${basename(m.bundlePath)}` };
    const currentId = fleet.kind === 'dataset' ? fleet.datasetId : fleet.displayName;
    const hit = this.store.listDriftReports(filter).find((r) => r.current.kind === fleet.kind && r.current.id === currentId && r.createdAt <= createdAt);
    if (hit === undefined) return null;
    const full = this.store.getDriftReport(hit.reportId);
    return full === undefined ? null : driftSummary(full);
  }

  /** Starts a report job; its result is `{ reportId }` of the stored report. */
  async start(input: ReportStartInput): Promise<string> {
    const prepared = await this.prepare(input);
    return this.jobs.start('report', async (ctx) => ({ reportId: (await this.generate(prepared, ctx)).reportId }));
  }

  /** Renders in the report worker and stores the PDF with its record; returns the record. */
  async generate(p: Prepared, ctx: WorkerCallContext): Promise<ReportRecord> {
    ctx.progress?.(0, 'Preparing the report…');
    const script = this.opts.workerScript ?? this.training.workerScript('report-worker');
    const limits = { resourceLimits: { maxOldGenerationSizeMb: reportHeapLimitMb(p.request.fleet) } };
    const v = (await callWorker<ReportWorkerRequest, ReportWorkerValue>(script, p.request, ctx, [], limits)).value;
    if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Report cancelled.');
    const bytes = v.bytes instanceof Uint8Array ? v.bytes : new Uint8Array(0);
    // what is stored is what the worker drew: a PDF whose hash is the one it reported
    if (bytes.byteLength < 5 || Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') throw new PrognosError('INTERNAL', 'the report worker did not answer with a PDF');
    if (sha256Hex(bytes) !== v.sha256) throw new PrognosError('INTERNAL', 'the report worker reported another SHA-256 than that of its PDF');
    const m = p.request.model;
    const record = this.reports.add({
      createdAt: p.request.createdAt,
      title: v.title,
      fleet: v.fleet,
      datasetId: p.datasetId,
      datasetFingerprint: v.datasetFingerprint,
      source: m.kind === 'run' ? { kind: 'run', runId: m.runId } : { kind: 'bundle', bundleId: m.bundleId, bundleSha256: v.bundleSha256 ?? '', runId: v.runId },
      templateName: p.templateName,
      templateSha256: p.request.templateSha256,
      inputs: p.inputs,
      pages: v.pages,
      units: v.units,
      atRisk: v.atRisk,
      soon: v.soon,
      pdf: bytes,
      digest: v.digest,
    });
    ctx.progress?.(1, `Report stored: ${v.pages} pages, ${v.units} units, ${v.atRisk} at risk.`);
    return record;
  }

  // ── history ───────────────────────────────────────────────────────────────────────────────────

  list(filter: { datasetId?: string } = {}): ReportRecord[] {
    return this.reports.list(filter);
  }

  get(reportId: string): ReportRecord {
    const r = this.reports.get(reportId);
    if (r === undefined) throw new PrognosError('NOT_FOUND', `No report ${reportId}.`);
    return r;
  }

  /** The record and the PDF's bytes, checked against their SHA-256 (BAD_FILE when damaged). */
  pdf(reportId: string): { record: ReportRecord; data: Buffer } {
    const f = this.reports.file(reportId);
    if (f === undefined) throw new PrognosError('NOT_FOUND', `No report ${reportId}.`);
    return f;
  }

  /** The PDF as base64 with a file name for it (`<fleet>-<yyyymmdd-hhmm>.pdf`). */
  file(reportId: string): { fileName: string; base64: string } {
    const { record, data } = this.pdf(reportId);
    return { fileName: reportFileName(record.fleet, record.createdAt), base64: data.toString('base64') };
  }

  private desktopOnly(what: string): string {
    if (this.opts.mode !== 'electron' || this.opts.reportsDir === undefined) throw new PrognosError('FORBIDDEN', `${what} is for the desktop app; in the browser, download the PDF instead.`);
    return this.opts.reportsDir;
  }

  /**
   * Desktop app only: writes the PDF into the reports folder under its file name (a name taken gets
   * " (2)", " (3)", …) through a temporary file, never replacing a file; records and returns the path.
   */
  save(reportId: string): { path: string } {
    const dir = this.desktopOnly('Saving into the reports folder');
    const { record, data } = this.pdf(reportId);
    mkdirSync(dir, { recursive: true });
    const name = reportFileName(record.fleet, record.createdAt);
    const temp = join(dir, `.${name}.partial-${randomBytes(6).toString('hex')}`);
    writeFileSync(temp, data, { flag: 'wx' });
    try {
      for (let n = 1; n < 1000; n++) {
        const path = join(dir, n === 1 ? name : name.replace(/\.pdf$/, ` (${n}).pdf`));
        try {
          // a hard link fails rather than replaces: the file appears whole, under a name nobody had
          linkSync(temp, path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw e;
        }
        this.reports.setSavedPath(reportId, path);
        return { path };
      }
      throw new PrognosError('CONFLICT', `The reports folder holds ${name} and 998 copies of it already.`);
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Desktop app only: shows the saved PDF in the file manager, saving it first when there is no saved copy. */
  reveal(reportId: string): { shown: boolean; path: string } {
    this.desktopOnly('Showing a report in its folder');
    const saved = this.get(reportId).savedPath;
    const path = saved !== null && existsSync(saved) ? saved : this.save(reportId).path;
    if (this.opts.reveal === undefined) return { shown: false, path };
    this.opts.reveal(path);
    return { shown: true, path };
  }

  /** Deletes the stored report (a copy saved in the reports folder is the user's and stays). */
  delete(reportId: string): boolean {
    return this.reports.delete(reportId);
  }

  // ── templates ─────────────────────────────────────────────────────────────────────────────────

  listTemplates(): StoredTemplate[] {
    return this.reports.listTemplates();
  }

  /**
   * Creates (no `templateId`) or replaces a template from its JSON text. INVALID_INPUT names the line
   * and column of a syntax error or the key path of a schema error; CONFLICT for the built-in
   * template or a name in use.
   */
  saveTemplate(input: { templateId?: string; text: string }): StoredTemplate {
    let template: ReportTemplate;
    try {
      template = parseTemplateText(input.text, 'template');
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'BAD_FILE') throw new PrognosError('INVALID_INPUT', e.message, e.details);
      throw e;
    }
    return this.reports.saveTemplate(input.templateId, template);
  }

  deleteTemplate(templateId: string): boolean {
    return this.reports.deleteTemplate(templateId);
  }
}
