/**
 * `prognos import` starts the import worker before the services load: the import job takes that
 * worker when it asks the same parse (the dataset is the one a fresh worker makes), and stops it
 * when it asks another; either way no worker is left running.
 */
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { startImportEarly } from '../../../src/main/services/import-early';
import { liveWorkerCount } from '../../../src/main/services/early-worker';
import type { DatasetRecord } from '../../../src/shared/schemas';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

const TRAIN = join(CMAPSS, 'train_FD001.txt');
const TEST = join(CMAPSS, 'test_FD001.txt');
const RUL = join(CMAPSS, 'RUL_FD001.txt');

const open: AppServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function services(earlyImport?: ReturnType<typeof startImportEarly>): AppServices {
  requireBuild();
  const s = new AppServices({ storeDir: tempDir(), mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test', ...(earlyImport === undefined ? {} : { earlyImport }) });
  open.push(s);
  return s;
}

async function importVia(s: AppServices, path: string, rul?: string): Promise<DatasetRecord> {
  const { jobId } = await s.handlers['datasets:import']({ source: { kind: 'path', path }, ...(rul === undefined ? {} : { rul: { kind: 'path' as const, path: rul } }) });
  const finished = await s.jobs.wait(jobId);
  if (finished.state !== 'done' || finished.result === undefined || !('dataset' in finished.result)) throw new Error(`import ${finished.state}: ${finished.error?.message}`);
  return finished.result.dataset;
}

/** what must not depend on which worker parsed: everything but the id and the time */
function content(d: DatasetRecord): unknown {
  return { ...d, datasetId: undefined, createdAt: undefined };
}

async function noWorkersLeft(): Promise<void> {
  for (let i = 0; i < 100 && liveWorkerCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(liveWorkerCount()).toBe(0);
}

describe('an import worker started before the services', () => {
  it('does the job asking the same parse: the same dataset, table and role as a fresh worker makes', async () => {
    const fresh = services();
    const expected = await importVia(fresh, TEST, RUL);
    const early = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: TEST, displayName: basename(TEST), rulPath: RUL, rulDisplayName: basename(RUL), tableFirst: true });
    const s = services(early);
    const got = await importVia(s, TEST, RUL);
    expect(early.taken).toBe(true); // not discarded and replaced by a worker of the job's own
    expect(content(got)).toEqual(content(expected));
    expect(got.role).toBe('test');
    expect(Array.from((await s.table(got.datasetId)).values[5]!)).toEqual(Array.from((await fresh.table(expected.datasetId)).values[5]!));
    await noWorkersLeft();
  });

  it('is stopped when the job asks another parse, which a worker of its own then does', async () => {
    // started for the test file; the job imports the training file
    const early = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: TEST, displayName: basename(TEST) });
    const s = services(early);
    const got = await importVia(s, TRAIN);
    expect(early.taken).toBe(false);
    expect(early.available).toBe(false);
    expect(got.sourceFile).toBe('train_FD001.txt');
    expect(got.rows).toBe(20631);
    expect(got.units).toBe(100);
    expect(got.role).toBe('training');
    await noWorkersLeft();
  });

  it('is stopped when the services close without an import', async () => {
    const early = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: TRAIN, displayName: basename(TRAIN) });
    const s = services(early);
    await s.close();
    open.splice(open.indexOf(s), 1);
    expect(early.taken).toBe(false);
    expect(early.available).toBe(false);
    await noWorkersLeft();
  });
});
