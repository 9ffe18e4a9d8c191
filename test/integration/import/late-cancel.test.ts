/**
 * A cancel that lands while an import's dataset is being committed: a commit is not stopped once
 * under way (the app's insert runs in the store worker; the CLI's finishes a transaction it began
 * while the table was summarised), so the import removes what it committed and reports the cancel.
 * Either way the store ends as it was, and the job says cancelled. Both orders are forced here,
 * deterministically, as they happened once in CI by chance.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { ColumnMappingService } from '../../../src/main/services/column-mappings';
import { DatasetImports } from '../../../src/main/services/dataset-import';
import type { JobContext } from '../../../src/main/services/jobs';
import { UploadArea } from '../../../src/main/services/uploads';
import { BUILT_IMPORT_WORKER, requireBuild, tempDir } from '../../helpers/paths';

let file: string;
let store: ExperimentStore | undefined;

beforeAll(async () => {
  requireBuild();
  file = join(tempDir(), 'fleet.txt');
  await writeSynthFleet({ units: 40, seed: 5, out: file });
});

afterEach(() => {
  store?.close();
  store = undefined;
});

function context(controller: AbortController, onProgress: (message: string) => void = () => {}): JobContext {
  return { jobId: 'job_late_cancel', signal: controller.signal, progress: (_f, message) => onProgress(message) };
}

const request = (): { source: { kind: 'path'; path: string } } => ({ source: { kind: 'path', path: file } });

describe('a cancel that lands while the dataset is committed', () => {
  it('the app: the cancel arrives while the store worker inserts; the job is cancelled and the store holds nothing', async () => {
    const dir = tempDir();
    const s = (store = ExperimentStore.open(dir));
    const controller = new AbortController();
    let inserted: string | undefined;
    const imports = new DatasetImports(s, new ColumnMappingService(s), new UploadArea(join(dir, 'uploads')), {
      importWorker: BUILT_IMPORT_WORKER,
      // the insert completes (as the store worker's does, once sent) and the cancel arrives meanwhile
      insert: (d) => {
        const record = s.insertDataset(d);
        inserted = record.datasetId;
        controller.abort();
        return Promise.resolve(record);
      },
    });
    await expect(imports.importResolved(request(), { path: file, displayName: 'fleet.txt' }, undefined, context(controller))).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(inserted).toBeDefined();
    expect(s.getDataset(inserted!)).toBeUndefined();
    expect(s.listDatasets()).toEqual([]);
  });

  it('the CLI: the cancel arrives as the commit finishes its transaction; the job is cancelled and the store holds nothing', async () => {
    const dir = tempDir();
    const s = (store = ExperimentStore.open(dir));
    const controller = new AbortController();
    const seen: string[] = [];
    const imports = new DatasetImports(s, new ColumnMappingService(s), new UploadArea(join(dir, 'uploads')), { importWorker: BUILT_IMPORT_WORKER });
    // "Saving to the store…" is reported inside the commit, which then finishes synchronously: a cancel
    // queued from that report lands after the transaction is committed, before the job ends
    const ctx = context(controller, (message) => {
      seen.push(message);
      if (message.startsWith('Saving to the store')) queueMicrotask(() => controller.abort());
    });
    await expect(imports.importResolved(request(), { path: file, displayName: 'fleet.txt' }, undefined, ctx)).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.some((m) => m.startsWith('Saving to the store'))).toBe(true);
    expect(s.listDatasets()).toEqual([]);
  });

  it('without a cancel, the same imports keep their dataset (the attack above is what removes it)', async () => {
    const dir = tempDir();
    const s = (store = ExperimentStore.open(dir));
    const imports = new DatasetImports(s, new ColumnMappingService(s), new UploadArea(join(dir, 'uploads')), { importWorker: BUILT_IMPORT_WORKER });
    const r = await imports.importResolved(request(), { path: file, displayName: 'fleet.txt' }, undefined, context(new AbortController()));
    expect(s.listDatasets().map((d) => d.datasetId)).toEqual([r.dataset.datasetId]);
  });
});
