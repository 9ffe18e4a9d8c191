/**
 * A file (or a synthetic fleet) into the store: the column roles decided, the parse in the import
 * worker, then one transaction. Kept apart from AppServices so that `prognos import` loads this and
 * the store only (see import-services.ts), not every service and the libraries behind them.
 */
import { PrognosError } from '../../shared/errors';
import type { DatasetRecord, ImportRequest, ImportResult } from '../../shared/schemas';
import type { NewDataset } from '../core/store/datasets';
import type { ExperimentStore } from '../core/store/store';
import type { ImportWorkerRequest, ToImportWorker } from '../workers/import-protocol';
import type { ColumnMappingService, ImportMapping } from './column-mappings';
import type { EarlyWorker } from './early-worker';
import { runImportWorker, type ImportedFleet } from './import-runner';
import type { JobContext } from './jobs';
import { naming } from './redact';
import type { UploadArea } from './uploads';

/** A file to read: where it is, and the name messages show (never a path on this machine, outside the CLI). */
export interface ResolvedFile {
  path: string;
  displayName: string;
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
    const request: ImportWorkerRequest = {
      type: 'parse',
      path: data.path,
      displayName: data.displayName,
      ...(rul === undefined ? {} : { rulPath: rul.path, rulDisplayName: rul.displayName }),
      ...(req.format === undefined ? {} : { format: req.format }),
      ...(req.map === undefined ? {} : { map: req.map }),
    };
    try {
      const parsed = await runImportWorker(this.opts.importWorker, request, ctx, this.opts.earlyImport);
      const columns = parsed.table.columns;
      const result = await this.commit(parsed, req.name ?? data.displayName, data.displayName, rul?.displayName ?? null, ctx, req.duplicates ?? 'new');
      if (result.reused !== true) this.mappings.recorded(result.dataset.datasetId, columns, mapping);
      return result;
    } catch (e) {
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

  private async commit(parsed: ImportedFleet, name: string, sourceFile: string, rulFile: string | null, ctx: JobContext, duplicates: 'ask' | 'reuse' | 'new' = 'new'): Promise<ImportResult> {
    if (ctx.signal.aborted) throw new PrognosError('CANCELLED', 'Import cancelled.');
    ctx.progress(0.98, 'Saving to the store…');
    const earlier = this.store.findByFingerprint(parsed.fingerprint);
    const duplicateOf = earlier.map((d) => d.datasetId);
    // the same content: the same file, with a RUL file or without one alike (a test fleet is not its unlabeled twin)
    const same = earlier.filter((d) => (d.rulFile === null) === (rulFile === null));
    const existing = same[0];
    if (existing !== undefined && duplicates === 'reuse') {
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
    const insert = this.opts.insert ?? ((d: NewDataset) => Promise.resolve(this.store.insertDataset(d)));
    const dataset = await insert({
      name,
      format: parsed.format,
      sourceFile,
      rulFile,
      fingerprint: parsed.fingerprint,
      summary: parsed.summary,
      table: parsed.table,
      columnSha256: parsed.columnSha256,
      regimes: parsed.regimes,
      role: parsed.role,
    });
    ctx.progress(1, `Imported ${dataset.rows.toLocaleString('en-US')} rows of ${dataset.units} units.`);
    return { dataset, duplicateOf };
  }
}
