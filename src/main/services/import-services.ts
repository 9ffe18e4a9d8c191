/**
 * What `prognos import` needs of the services, and nothing else: the store, the job manager and its
 * event bus, the column mappings and the import. AppServices loads every service and, through them,
 * onnxruntime, the report and pipeline code and the rest; the import's main thread would spend that
 * CPU while its worker parses on the same cores. The job runs as `datasets:import` runs it there.
 */
import { basename, join } from 'node:path';
import type { ImportRequest } from '../../shared/schemas';
import { ExperimentStore } from '../core/store/store';
import type { ToImportWorker } from '../workers/import-protocol';
import { ColumnMappingService } from './column-mappings';
import { DatasetImports } from './dataset-import';
import type { EarlyWorker } from './early-worker';
import { EventBus } from './events';
import { JobManager } from './jobs';
import { UploadArea } from './uploads';

/** A CLI import's request: files named by path (the user's own shell names them). */
export type PathImportRequest = ImportRequest & { source: { kind: 'path' }; rul?: { kind: 'path' } };

export class ImportServices {
  readonly store: ExperimentStore;
  readonly bus = new EventBus();
  readonly jobs = new JobManager(this.bus);
  private readonly uploads: UploadArea;
  private readonly imports: DatasetImports;

  constructor(private readonly opts: { storeDir: string; importWorker: string; earlyImport?: EarlyWorker<ToImportWorker> }) {
    this.store = ExperimentStore.open(opts.storeDir);
    this.uploads = new UploadArea(join(opts.storeDir, 'uploads'));
    this.imports = new DatasetImports(this.store, new ColumnMappingService(this.store), this.uploads, {
      importWorker: opts.importWorker,
      ...(opts.earlyImport === undefined ? {} : { earlyImport: opts.earlyImport }),
    });
  }

  /** Starts the import job; its id. */
  startImport(req: PathImportRequest): string {
    const data = { path: req.source.path, displayName: basename(req.source.path) };
    const rul = req.rul === undefined ? undefined : { path: req.rul.path, displayName: basename(req.rul.path) };
    return this.jobs.start('import', (ctx) => this.imports.importResolved(req, data, rul, ctx));
  }

  async close(): Promise<void> {
    this.opts.earlyImport?.discard();
    await this.jobs.cancelAll();
    this.uploads.clear();
    this.store.close();
  }
}
