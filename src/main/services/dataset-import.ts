/**
 * A file (or a synthetic fleet) into the store: the column roles decided, the parse in the import
 * worker, then one transaction. Kept apart from AppServices so that `prognos import` loads this and
 * the store only (see import-services.ts), not every service and the libraries behind them.
 */
import { PrognosError } from '../../shared/errors';
import type { DatasetRecord, ImportRequest, ImportResult } from '../../shared/schemas';
import type { DatasetAbout, NewDataset, PendingDataset } from '../core/store/datasets';
import type { ExperimentStore } from '../core/store/store';
import type { ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import type { ColumnMappingService, ImportMapping } from './column-mappings';
import type { EarlyWorker } from './early-worker';
import { runImportWorker, type ImportedFleet, type ParsedTable } from './import-runner';
import type { JobContext } from './jobs';
import { naming } from './redact';
import type { UploadArea } from './uploads';

/** A file to read: where it is, and the name messages show (never a path on this machine, outside the CLI). */
export interface ResolvedFile {
  path: string;
  displayName: string;
}

/** Of the datasets with a file's fingerprint, those of the same content: with a RUL file or without one alike (a test fleet is not its unlabeled twin). */
function sameContent(earlier: DatasetRecord[], rulFile: string | null): DatasetRecord[] {
  return earlier.filter((d) => (d.rulFile === null) === (rulFile === null));
}

export class DatasetImports {
  constructor(
    private readonly store: ExperimentStore,
    private readonly mappings: ColumnMappingService,
    private readonly uploads: UploadArea,
    /**
     * the built import worker script, a worker `prognos import` started before the services loaded,
     * and where the dataset is inserted: the app's services insert in the store worker (the columns
     * move there), so the thread that serves the UI does not write them; the CLI's import, whose
     * thread serves no one, on its own connection (the default)
     */
    private readonly opts: { importWorker: string; earlyImport?: EarlyWorker<ToImportWorker>; insert?: (d: NewDataset) => Promise<DatasetRecord> },
  ) {}

  /** Parse in a worker, then commit in one transaction: after a failure or cancel the store is as before. */
  async importResolved(req: ImportRequest, data: ResolvedFile, rul: ResolvedFile | undefined, ctx: JobContext): Promise<ImportResult> {
    try {
      // the roles: the client's, else those remembered for this header, else the guess
      const mapping = await this.mappings.prepare(req, data);
      return await this.importMapped({ ...req, ...(mapping.map === undefined ? {} : { map: mapping.map }) }, data, rul, ctx, mapping);
    } catch (e) {
      if (req.source.kind === 'upload') this.uploads.discard(req.source.uploadId);
      if (req.rul?.kind === 'upload') this.uploads.discard(req.rul.uploadId);
      throw naming(e, data.path, data.displayName);
    }
  }

  private async importMapped(req: ImportRequest, data: ResolvedFile, rul: ResolvedFile | undefined, ctx: JobContext, mapping: ImportMapping): Promise<ImportResult> {
    // inserted on this thread's own connection (the CLI's import): the columns of a large file are
    // written while the worker still summarises the table and detects its regimes
    const tableFirst = this.opts.insert === undefined;
    const request: ImportWorkerRequest = {
      type: 'parse',
      path: data.path,
      displayName: data.displayName,
      ...(rul === undefined ? {} : { rulPath: rul.path, rulDisplayName: rul.displayName }),
      ...(req.format === undefined ? {} : { format: req.format }),
      ...(req.map === undefined ? {} : { map: req.map }),
      ...(tableFirst ? { tableFirst: true } : {}),
    };
    const name = req.name ?? data.displayName;
    const rulFile = rul?.displayName ?? null;
    const duplicates = req.duplicates ?? 'new';
    let pending: PendingDataset | undefined;
    const onTable = (parsed: ParsedTable): void => {
      // a file imported before is left to the commit to answer, as when the table comes last
      if (ctx.signal.aborted || (duplicates !== 'new' && sameContent(this.store.findByFingerprint(parsed.fingerprint), rulFile).length > 0)) return;
      ctx.progress(0.96, 'Writing the columns to the store…');
      pending = this.store.beginDatasetInsert(parsed.table, { name });
    };
    try {
      const parsed = await runImportWorker(this.opts.importWorker, request, ctx, this.opts.earlyImport, tableFirst ? onTable : undefined);
      const columns = parsed.table.columns;
      const result = await this.commit(parsed, name, data.displayName, rulFile, ctx, duplicates, pending);
      pending = undefined; // committed, or rolled back by the commit
      if (result.reused !== true) this.mappings.recorded(result.dataset.datasetId, columns, mapping);
      return result;
    } catch (e) {
      pending?.abort();
      throw rul === undefined ? naming(e, data.path, data.displayName) : naming(naming(e, data.path, data.displayName), rul.path, rul.displayName);
    } finally {
      if (req.source.kind === 'upload') this.uploads.discard(req.source.uploadId);
      if (req.rul?.kind === 'upload') this.uploads.discard(req.rul.uploadId);
    }
  }

  async synthDataset(units: number, seed: number, name: string | undefined, ctx: JobContext): Promise<ImportResult> {
    const parsed = await runImportWorker(this.opts.importWorker, { type: 'synth', units, seed }, ctx);
    const label = `synthetic fleet (${units} units, seed ${seed})`;
    return this.commit(parsed, name ?? label, label, null, ctx);
  }

  /**
   * The dataset into the store, in one transaction; `pending`: its columns already written (by
   * `beginDatasetInsert`) in a transaction this finishes, or rolls back when nothing is imported
   * (when this throws, the caller rolls it back). A commit is not stopped once under way (an insert
   * sent to the store worker, or one finished as the cancel was on its way); a cancel that came
   * meanwhile still leaves no trace: the new dataset is deleted (nothing else knows its id yet).
   */
  private async commit(
    parsed: ImportedFleet,
    name: string,
    sourceFile: string,
    rulFile: string | null,
    ctx: JobContext,
    duplicates: 'ask' | 'reuse' | 'new' = 'new',
    pending?: PendingDataset,
  ): Promise<ImportResult> {
    const result = await this.write(parsed, name, sourceFile, rulFile, ctx, duplicates, pending);
    if (ctx.signal.aborted && result.reused !== true) {
      this.store.deleteDataset(result.dataset.datasetId);
      throw new PrognosError('CANCELLED', 'Import cancelled.');
    }
    return result;
  }

  private async write(
    parsed: ImportedFleet,
    name: string,
    sourceFile: string,
    rulFile: string | null,
    ctx: JobContext,
    duplicates: 'ask' | 'reuse' | 'new',
    pending: PendingDataset | undefined,
  ): Promise<ImportResult> {
    if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Import cancelled.');
    ctx.progress(0.98, 'Saving to the store…');
    const earlier = this.store.findByFingerprint(parsed.fingerprint);
    const duplicateOf = earlier.map((d) => d.datasetId);
    const same = sameContent(earlier, rulFile);
    const existing = same[0];
    if (existing !== undefined && duplicates === 'reuse') {
      pending?.abort();
      ctx.progress(1, `Already imported as ${existing.name} (${existing.datasetId}); nothing imported.`);
      return { dataset: existing, duplicateOf, reused: true };
    }
    if (existing !== undefined && duplicates === 'ask') {
      throw new PrognosError(
        'CONFLICT',
        `${sourceFile} has the same content as the dataset "${existing.name}" (${existing.datasetId}), imported ${existing.createdAt.slice(0, 16).replace('T', ' ')}. Open the existing one, or import it again under a new name.`,
        { existing: same.map((d) => ({ datasetId: d.datasetId, name: d.name, createdAt: d.createdAt })) },
      );
    }
    const about: DatasetAbout = {
      name,
      format: parsed.format,
      sourceFile,
      rulFile,
      fingerprint: parsed.fingerprint,
      summary: parsed.summary,
      regimes: parsed.regimes,
      role: parsed.role,
    };
    const insert = this.opts.insert ?? ((d: NewDataset) => Promise.resolve(this.store.insertDataset(d)));
    const dataset =
      pending !== undefined
        ? pending.finish(about)
        : await insert({ ...about, table: parsed.table, ...(parsed.columnSha256 === null ? {} : { columnSha256: parsed.columnSha256 }) });
    ctx.progress(1, `Imported ${dataset.rows.toLocaleString('en-US')} rows of ${dataset.units} units.`);
    return { dataset, duplicateOf };
  }
}
