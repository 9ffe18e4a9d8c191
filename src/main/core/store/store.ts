/**
 * The experiment store: one SQLite file per store folder (`prognos.db`) holding datasets (columnar),
 * experiments, runs, metrics, artifacts, models and reports. One instance per process owns the
 * connection; every write goes through it (WAL lets readers in other processes proceed).
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from './sqlite';
import type { FleetTable } from '../data/table';
import { PrognosError } from '../../../shared/errors';
import type { DatasetRecord, DatasetRegimes } from '../../../shared/schemas';
import type { DriftReport, DriftReportSummary } from '../../../shared/drift';
import * as datasets from './datasets';
import * as driftReports from './drift-reports';
import * as keyring from './keys';
import { AlertStore } from './alerts';
import { HousekeepingStore } from './housekeeping';
import { StoredResultsStore } from './stored-results';
import { ColumnMappingStore } from './column-mappings';
import { ExperimentBook } from './experiments';
import { RunTransferStore } from './run-transfer';
import { FleetReportStore } from './reports';
import { PipelineStore } from './pipelines';
import { RegistryStore } from '../registry/store';
import { migrate, schemaVersionOf } from './migrate';
import { MIGRATIONS } from './migrations';
import * as runs from './runs';
import { selfOwner, type Owner } from './owner';
import { SweepStore } from './sweeps';
import { cleanStalePartials, trackPartial } from './partials';
import { removeDatabaseFiles, restoreStoreFile, STORE_FILE } from './store-file';

export type { NewDataset, ColumnSelection, RowRange } from './datasets';
export type {
  ArtifactInfo,
  ExperimentRecord,
  MetricInput,
  MetricPoint,
  ModelInfo,
  NewArtifact,
  NewRun,
  ParamValue,
  ReportRecord,
  RunRecord,
  RunStatus,
} from './runs';
export { INTERRUPTED_ERROR } from './runs';
export type { AddedKey, KeyRecord, TrustPolicy, TrustPolicySetting } from './keys';
export { STORE_FILE } from './store-file';
export type { DriftReportBody, DriftHistoryFilter } from './drift-reports';

export interface OpenOptions {
  /**
   * Mark runs left 'running' by a process that is gone as failed (default true). A second
   * connection opened while this process is training (e.g. a reader in a worker) passes false.
   */
  recoverInterruptedRuns?: boolean;
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
  /**
   * How often the open store stamps the heartbeat of the runs it runs and (with
   * recoverInterruptedRuns) marks runs whose owner died as failed, in ms (default 15000; 0: never,
   * only on open and when listing runs).
   */
  sweepIntervalMs?: number;
  /** A run whose heartbeat is older than this is no longer running, in ms (default 120000). */
  heartbeatStaleMs?: number;
  /** A partial file in the store folder untouched this long is removed on open, in ms (default 600000). */
  partialStaleMs?: number;
  /** Where an error of the background sweep goes (default: a process warning). */
  onBackgroundError?: (e: unknown) => void;
}

export interface BackupOptions {
  /** replace an existing file (default false: CONFLICT) */
  force?: boolean;
}

/** Runs that an open store in this process is running: the only runs of this process that are alive. */
const runsOfThisProcess = new Set<string>();

/**
 * `file` with symbolic links resolved, also when it does not exist yet: the nearest existing
 * ancestor is resolved and the rest appended; a dangling link is followed to where it points.
 */
function realPathOf(file: string): string {
  const rest: string[] = [];
  let at = resolve(file);
  for (let hops = 0; ; ) {
    try {
      return resolve(realpathSync(at), ...rest);
    } catch {
      let link = false;
      try {
        link = lstatSync(at).isSymbolicLink();
      } catch {
        link = false;
      }
      if (link && hops++ < 40) {
        at = resolve(dirname(at), readlinkSync(at));
        continue;
      }
      const parent = dirname(at);
      if (parent === at) return resolve(file);
      rest.unshift(basename(at));
      at = parent;
    }
  }
}

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export interface ConnectionSettings {
  journalMode: string;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  schemaVersion: number;
}

/**
 * Sets WAL mode, waiting up to `busyTimeoutMs` while another connection writes a large dataset through
 * a rollback journal (core/store/bulk-journal.ts): leaving or entering WAL mode is refused at once
 * while another connection holds the file, and SQLite's busy handler does not wait for that.
 */
function walMode(db: Database.Database, busyTimeoutMs: number): unknown {
  const until = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (e) {
      if (!(e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY')) || Date.now() >= until) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function openStoreDatabase(dbPath: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = openDatabase(dbPath, { timeout: busyTimeoutMs });
    // 64 KiB pages for a new store (a no-op on an existing one): a dataset is a few large column blobs,
    // and committing 1M rows × 26 columns writes 16 times fewer pages (half the CPU and time of 4 KiB pages)
    db.pragma('page_size = 65536');
    const mode = walMode(db, busyTimeoutMs);
    if (mode !== 'wal')
      throw new PrognosError('INTERNAL', `${dbPath}: could not switch to WAL mode (got ${String(mode)})`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    return db;
  } catch (e) {
    db?.close();
    if (e instanceof Database.SqliteError && (e.code === 'SQLITE_NOTADB' || e.code.startsWith('SQLITE_CORRUPT'))) {
      const reason = `not a usable Prognos store (${e.message})`;
      throw new PrognosError('BAD_FILE', `${dbPath}: ${reason}`, { issues: [{ file: dbPath, reason }] });
    }
    throw e;
  }
}

export class ExperimentStore {
  readonly dir: string;
  readonly dbPath: string;
  private readonly db: Database.Database;
  private readonly checked = new datasets.CheckedColumns();
  private readonly self = selfOwner();
  /** runs created through this store and not finished yet */
  private readonly ownRuns = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    dir: string,
    dbPath: string,
    db: Database.Database,
    private readonly options: OpenOptions,
  ) {
    this.dir = dir;
    this.dbPath = dbPath;
    this.db = db;
    const every = options.sweepIntervalMs ?? 15_000;
    if (every > 0) {
      this.timer = setInterval(() => this.tick(), every);
      this.timer.unref();
    }
  }

  /** Heartbeat of this store's runs, then (with recoverInterruptedRuns) the sweep. */
  private tick(): void {
    try {
      runs.heartbeat(this.db, this.ownRuns);
      this.sweep();
    } catch (e) {
      (this.options.onBackgroundError ?? ((err: unknown) => process.emitWarning(`prognos store: background sweep failed: ${String(err)}`)))(e);
    }
  }

  /**
   * Marks runs whose owner is gone (or is another program under a reused pid, or stopped beating)
   * as failed; returns their ids. Runs on open, periodically, and when listing runs.
   */
  sweep(): string[] {
    if (!(this.options.recoverInterruptedRuns ?? true) || !this.db.open) return [];
    return runs.failInterruptedRuns(this.db, {
      self: this.self,
      ownRuns: runsOfThisProcess,
      staleAfterMs: this.options.heartbeatStaleMs ?? 120_000,
    });
  }

  /**
   * Opens (creating if needed) the store in `dir`: WAL, foreign keys on, a busy timeout, pending
   * migrations applied (each in its own transaction), interrupted runs marked failed.
   */
  static open(dir: string, options: OpenOptions = {}): ExperimentStore {
    const absDir = resolve(dir);
    mkdirSync(absDir, { recursive: true });
    const dbPath = resolve(absDir, STORE_FILE);
    const db = openStoreDatabase(dbPath, options.busyTimeoutMs ?? 5000);
    try {
      migrate(db, MIGRATIONS);
      cleanStalePartials(absDir, { staleAfterMs: options.partialStaleMs ?? 600_000 });
    } catch (e) {
      db.close();
      throw e;
    }
    const store = new ExperimentStore(absDir, dbPath, db, options);
    try {
      store.sweep();
    } catch (e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * Replaces the store in `dir` with the backup `file` after validating it (BAD_FILE naming the
   * file and the reason otherwise, leaving the existing store untouched). Close any open store on
   * `dir` first (CONFLICT otherwise).
   */
  static restore(dir: string, file: string): void {
    restoreStoreFile(dir, file);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const id of this.ownRuns) runsOfThisProcess.delete(id);
    this.ownRuns.clear();
    if (this.db.open) this.db.close();
  }

  schemaVersion(): number {
    return schemaVersionOf(this.db);
  }

  connectionSettings(): ConnectionSettings {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
      schemaVersion: this.schemaVersion(),
    };
  }

  /**
   * A consistent copy of the store in `file` (SQLite online backup; written beside it, then moved
   * into place). Refused: a path inside the store folder (after resolving `..` and symbolic links),
   * a folder, and an existing file unless `force` (CONFLICT; the file is left as it was).
   */
  async backup(file: string, opts: BackupOptions = {}): Promise<void> {
    const target = resolve(file);
    const real = realPathOf(target);
    const storeReal = realPathOf(this.dir);
    if (isInside(target, this.dir) || isInside(real, storeReal) || this.isStoreFile(real)) {
      throw new PrognosError('INVALID_INPUT', `${file}: a backup cannot be written inside the store folder ${this.dir}`);
    }
    if (existsSync(real) && statSync(real).isDirectory()) {
      throw new PrognosError('INVALID_INPUT', `${file}: is a folder; give the backup's file name`);
    }
    if (opts.force !== true && existsSync(target)) {
      throw new PrognosError('CONFLICT', `${file} already exists; pass --force to replace it`);
    }
    mkdirSync(dirname(target), { recursive: true });
    const partial = `${target}.${randomBytes(6).toString('hex')}.partial`;
    const untrack = trackPartial(this.dir, partial);
    try {
      await this.db.backup(partial);
      if (opts.force === true) renameSync(partial, target);
      else this.placeWithoutReplacing(partial, target, file);
    } finally {
      removeDatabaseFiles(partial);
      untrack();
    }
  }

  /** Whether `path` is the store's database (or one of its companions) under another name (a hard link). */
  private isStoreFile(path: string): boolean {
    try {
      const a = statSync(path);
      return [this.dbPath, `${this.dbPath}-wal`, `${this.dbPath}-shm`].some((f) => {
        try {
          const b = statSync(f);
          return a.dev === b.dev && a.ino === b.ino;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  }

  /** Moves `partial` to `target` unless a file appeared there meanwhile (a hard link fails then). */
  private placeWithoutReplacing(partial: string, target: string, shown: string): void {
    try {
      linkSync(partial, target);
      rmSync(partial, { force: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new PrognosError('CONFLICT', `${shown} already exists; pass --force to replace it`);
      // a file system without hard links: check, then rename
      if (existsSync(target)) throw new PrognosError('CONFLICT', `${shown} already exists; pass --force to replace it`);
      renameSync(partial, target);
    }
  }

  // datasets ----------------------------------------------------------------------------------

  /** Stores the dataset in one transaction (all or nothing); INVALID_INPUT when it is inconsistent. */
  insertDataset(d: datasets.NewDataset): DatasetRecord {
    return datasets.insertDataset(this.db, d);
  }

  /** A dataset's columns written in a transaction left open until its record is known (see datasets.beginDatasetInsert). */
  beginDatasetInsert(table: FleetTable, opts: datasets.InsertOptions): datasets.PendingDataset {
    return datasets.beginDatasetInsert(this.db, table, opts);
  }

  /** Records the regimes of a dataset imported before detection existed (never replaces them). */
  setDatasetRegimes(id: string, regimes: DatasetRegimes): boolean {
    return datasets.setDatasetRegimes(this.db, id, regimes);
  }

  /** Newest first. */
  listDatasets(): DatasetRecord[] {
    return datasets.listDatasets(this.db);
  }

  getDataset(id: string): DatasetRecord | undefined {
    return datasets.getDataset(this.db, id);
  }

  /** Newest first. */
  findByFingerprint(fingerprint: string): DatasetRecord[] {
    return datasets.findByFingerprint(this.db, fingerprint);
  }

  /** The table as inserted; NOT_FOUND when there is no such dataset. */
  loadTable(id: string): FleetTable {
    return datasets.loadTable(this.db, id, this.checked);
  }

  /** Unit, cycle and the named value columns (for charts); NOT_FOUND for an unknown dataset or column. */
  loadColumns(id: string, names: string[]): datasets.ColumnSelection {
    return datasets.loadColumns(this.db, id, names, this.checked);
  }

  /** Rows [offset, offset + limit) of every column, clamped to the table (for previews). */
  loadRows(id: string, offset: number, limit: number): datasets.RowRange {
    return datasets.loadRows(this.db, id, offset, limit, this.checked);
  }

  /** Deletes the dataset, its columns and RUL values, and its runs with everything they hold. */
  deleteDataset(id: string): boolean {
    return datasets.deleteDataset(this.db, id);
  }

  // experiments and runs ----------------------------------------------------------------------

  createExperiment(name: string): string {
    return runs.createExperiment(this.db, name);
  }

  listExperiments(): runs.ExperimentRecord[] {
    return runs.listExperiments(this.db);
  }

  /** A new run with status 'running', owned by this process. */
  createRun(r: runs.NewRun): string {
    const id = runs.createRun(this.db, r, this.self);
    this.ownRuns.add(id);
    runsOfThisProcess.add(id);
    return id;
  }

  setRunStatus(runId: string, status: runs.RunStatus, error?: string): void {
    runs.setRunStatus(this.db, runId, status, error);
    if (status !== 'running') {
      this.ownRuns.delete(runId);
      runsOfThisProcess.delete(runId);
    }
  }

  logParams(runId: string, params: Record<string, runs.ParamValue>): void {
    runs.logParams(this.db, runId, params);
  }

  logMetric(runId: string, key: string, value: number, step?: number): void {
    runs.logMetrics(this.db, runId, [step === undefined ? { key, value } : { key, value, step }]);
  }

  /** Appends many metric values in one transaction. */
  logMetrics(runId: string, rows: runs.MetricInput[]): void {
    runs.logMetrics(this.db, runId, rows);
  }

  /** Stores bytes with their SHA-256; CONFLICT when the run already has an artifact of that name. */
  addArtifact(runId: string, a: runs.NewArtifact): { artifactId: string; sha256: string; size: number } {
    return runs.addArtifact(this.db, runId, a);
  }

  /** The artifact's bytes, checked against their SHA-256 (BAD_FILE on mismatch). */
  getArtifact(runId: string, name: string): { data: Buffer; sha256: string } | undefined {
    return runs.getArtifact(this.db, runId, name, this.dbPath);
  }

  listArtifacts(runId: string): runs.ArtifactInfo[] {
    return runs.listArtifacts(this.db, runId);
  }

  /** Removes all artifacts of the run (and models registered on them), e.g. after a cancel. */
  discardArtifacts(runId: string): number {
    return runs.discardArtifacts(this.db, runId);
  }

  registerModel(runId: string, m: { kind: string; artifactName: string; meta?: unknown }): void {
    runs.registerModel(this.db, runId, m);
  }

  modelsOf(runId: string): runs.ModelInfo[] {
    return runs.modelsOf(this.db, runId);
  }

  addReport(runId: string | null, r: { title: string; artifactData: Uint8Array }): string {
    return runs.addReport(this.db, runId, r);
  }

  getReport(reportId: string): runs.ReportRecord | undefined {
    return runs.getReport(this.db, reportId, this.dbPath);
  }

  /**
   * Runs `fn` as one write transaction (BEGIN IMMEDIATE): the store's calls inside it become savepoints,
   * and all of their writes reach the file together, with one sync, or none of them does.
   */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** The run's JSON summary (metrics, threshold, timings). */
  setRunResult(runId: string, result: unknown): void {
    runs.setRunResult(this.db, runId, result);
  }

  /** The compute backend, known once training has chosen it. */
  setRunBackend(runId: string, backend: string): void {
    runs.setRunBackend(this.db, runId, backend);
  }

  getRun(runId: string): runs.RunRecord | undefined {
    return runs.getRun(this.db, runId);
  }

  /** Newest first. */
  listRuns(filter?: { datasetId?: string }): runs.RunRecord[] {
    this.sweep();
    return runs.listRuns(this.db, filter);
  }

  metricsOf(runId: string): runs.MetricPoint[] {
    return runs.metricsOf(this.db, runId);
  }

  paramsOf(runId: string): Record<string, runs.ParamValue> {
    return runs.paramsOf(this.db, runId);
  }

  /** Deletes the run with its parameters, metrics, artifacts, models and reports. */
  deleteRun(runId: string): boolean {
    this.ownRuns.delete(runId);
    runsOfThisProcess.delete(runId);
    return runs.deleteRun(this.db, runId);
  }

  // drift reports -------------------------------------------------------------------------------

  /** Stores a drift report (checked against its schema) and returns it with its id and time. */
  addDriftReport(body: driftReports.DriftReportBody): DriftReport {
    return driftReports.insertDriftReport(this.db, body);
  }

  /** Newest first: every report, or one run's or one bundle's history. */
  listDriftReports(filter?: driftReports.DriftHistoryFilter): DriftReportSummary[] {
    return driftReports.listDriftReports(this.db, filter);
  }

  /** The whole report; BAD_FILE naming it when the stored JSON is damaged. */
  getDriftReport(reportId: string): DriftReport | undefined {
    return driftReports.getDriftReport(this.db, reportId, this.dbPath);
  }

  deleteDriftReport(reportId: string): boolean {
    return driftReports.deleteDriftReport(this.db, reportId);
  }

  // keyring and trust policy --------------------------------------------------------------------

  /** The trusted bundle signers, oldest first. */
  trustedKeys(): keyring.KeyRecord[] {
    return keyring.listTrustedKeys(this.db);
  }

  /** Adds an Ed25519 public key (a private key is reduced to its public key); `source` names the input in errors. */
  addTrustedKey(pem: string, name: string, source: string): keyring.AddedKey {
    return keyring.addTrustedKey(this.db, pem, name, source);
  }

  /** Removes the key with this fingerprint or unique fingerprint prefix. */
  removeTrustedKey(idOrPrefix: string): keyring.KeyRecord {
    return keyring.removeTrustedKey(this.db, idOrPrefix);
  }

  trustPolicy(): keyring.TrustPolicy {
    return keyring.trustPolicy(this.db);
  }

  setTrustPolicy(setting: keyring.TrustPolicySetting): keyring.TrustPolicy {
    return keyring.setTrustPolicy(this.db, setting);
  }

  // alerts --------------------------------------------------------------------------------------

  /** Alert rules, notifications, webhook deliveries and the webhook setting (migration 008). */
  alerts(): AlertStore {
    return new AlertStore(this.db);
  }

  /** dataset roles, names of runs and bundles, what a delete takes with it (migration 010) */
  housekeeping(): HousekeepingStore {
    return new HousekeepingStore(this.db);
  }

  // maintenance reports -------------------------------------------------------------------------

  /** PDF maintenance reports with their units, and report templates (migration 009). */
  fleetReports(): FleetReportStore {
    return new FleetReportStore(this.db, this.dbPath);
  }

  // column roles and sensor catalogues ------------------------------------------------------------

  /** Remembered column roles per header signature and dataset sensor catalogues (migration 011). */
  columnMappings(): ColumnMappingStore {
    return new ColumnMappingStore(this.db);
  }

  // saved pipelines and their runs ---------------------------------------------------------------

  /** saved pipelines, pipeline runs and their steps (migration 016) */
  pipelines(): PipelineStore {
    return new PipelineStore(this.db);
  }

  // model registry --------------------------------------------------------------------------------

  /** Registered models, their versions and stage transitions (migration 014). */
  registry(): RegistryStore {
    return new RegistryStore(this.db, this.dbPath);
  }

  // experiments: notes, tags, moving runs; runs moved between stores ------------------------------

  /** Experiments with notes and tags, and each run's notes, tags and experiment (migration 012). */
  experiments(): ExperimentBook {
    return new ExperimentBook(this.db);
  }

  /** A run as plain data and runs written from it (`runs export/import`), with where they came from. */
  runTransfer(): RunTransferStore {
    return new RunTransferStore(this.db, this.dbPath);
  }

  // hyperparameter sweeps -------------------------------------------------------------------------

  /** Sweeps and their trials (migration 013). */
  sweeps(): SweepStore {
    return new SweepStore(this.db);
  }

  /** This process, as the runs and sweeps it owns record it. */
  owner(): Owner {
    return this.self;
  }

  // stored rankings and fleet scores ----------------------------------------------------------------

  /** The latest feature ranking per dataset and spec, and fleet scores per fleet and scorer (migration 015). */
  storedResults(): StoredResultsStore {
    return new StoredResultsStore(this.db);
  }
}
