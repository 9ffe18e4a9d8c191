/**
 * A file large enough to be parsed on two threads (≥ 32 MiB): the helper thread parses the second
 * part, then summarises the whole table while the import worker detects the regimes. The CLI's
 * services (their own connection) are given the table first and write and hash its columns
 * meanwhile, committing once the summary comes (`tableFirst`); the app's (browser mode) get the
 * table last, with the hashes the helper computed, and insert it in the store worker. Each way,
 * through a worker started early (its helper started before the worker's code loads) and through
 * one of the job's own (the app's: an upload), the dataset is the one a single pass makes: the same summary, and columns
 * whose stored SHA-256 checks out when read back.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { PARALLEL_MIN_BYTES } from '../../../src/main/core/data/parallel';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { AppServices } from '../../../src/main/services/app-services';
import { startImportEarly } from '../../../src/main/services/import-early';
import { runImportWorker, type ParsedTable } from '../../../src/main/services/import-runner';
import { columnSha256, inSharedMemory } from '../../../src/main/core/data/column-hash';
import { liveWorkerCount } from '../../../src/main/services/early-worker';
import type { DatasetRecord, ImportRequest } from '../../../src/shared/schemas';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, requireBuild, tempDir } from '../../helpers/paths';

let file: string;
let onePass: FleetTable;
const open: AppServices[] = [];

beforeAll(async () => {
  requireBuild();
  file = join(tempDir(), 'fleet-1000.txt');
  await writeSynthFleet({ units: 1000, seed: 11, out: file });
  onePass = (await parseFleetFile(file)).table;
}, 120_000);

afterAll(async () => {
  for (const s of open.splice(0)) await s.close();
});

function services(earlyImport?: ReturnType<typeof startImportEarly>, mode: 'cli' | 'browser' = 'cli'): AppServices {
  const s = new AppServices({ storeDir: tempDir(), mode, importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test', ...(earlyImport === undefined ? {} : { earlyImport }) });
  open.push(s);
  return s;
}

async function importVia(s: AppServices, source: ImportRequest['source'] = { kind: 'path', path: file }): Promise<DatasetRecord> {
  const { jobId } = await s.handlers['datasets:import']({ source });
  const finished = await s.jobs.wait(jobId);
  if (finished.state !== 'done' || finished.result === undefined || !('dataset' in finished.result)) throw new Error(`import ${finished.state}: ${finished.error?.message}`);
  return finished.result.dataset;
}

function sameTable(a: FleetTable, b: FleetTable): void {
  expect(a.rowCount).toBe(b.rowCount);
  expect(a.columns).toEqual(b.columns);
  const bytes = (x: Int32Array | Float64Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  expect(bytes(a.unit).equals(bytes(b.unit))).toBe(true);
  expect(bytes(a.cycle).equals(bytes(b.cycle))).toBe(true);
  a.values.forEach((v, k) => expect(bytes(v).equals(bytes(b.values[k]!))).toBe(true));
}

describe('importing a file parsed on two threads', () => {
  it('is large enough to be parsed in two parts', () => {
    expect(statSync(file).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
  });

  it('asked tableFirst, the worker posts the table (shared, not copied) before summarising it and leaves the hashes to its receiver', async () => {
    const ctx = { jobId: 'test', signal: new AbortController().signal, progress: () => undefined };
    let first: ParsedTable | undefined;
    const got = await runImportWorker(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file), tableFirst: true }, ctx, undefined, (p) => {
      first = p;
    });
    expect(first).toBeDefined();
    expect(inSharedMemory(first!.table)).toBe(true);
    expect(got.table).toBe(first!.table);
    sameTable(got.table, onePass);
    expect(got.columnSha256).toBeNull();
    expect(got.summary).toEqual(summarizeFleet(onePass));
    // not asked: the table comes last, with the hashes the helper computed
    const last = await runImportWorker(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file) }, ctx, undefined, () => {
      throw new Error('the table came first unasked');
    });
    expect(last.columnSha256).toEqual(columnSha256(onePass));
    expect(last.summary).toEqual(got.summary);
    // an onTable that throws fails the job with its error once the worker is done
    await expect(
      runImportWorker(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file), tableFirst: true }, ctx, undefined, () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
  }, 120_000);

  it('stores what one pass makes, through an early worker and through a worker of its own, the table first (CLI) or last (app)', async () => {
    const fresh = services();
    const own = await importVia(fresh);
    const early = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file), tableFirst: true });
    const s = services(early);
    const got = await importVia(s);
    expect(early.taken).toBe(true);
    // an early worker asked without tableFirst is not the job's: stopped, and the job starts its own
    const other = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file) });
    const s2 = services(other);
    const own2 = await importVia(s2);
    expect(other.taken).toBe(false);
    // browser mode takes the file as an upload
    const app = services(undefined, 'browser');
    const uploadId = await app.uploads.receive(basename(file), createReadStream(file));
    const inApp = await importVia(app, { kind: 'upload', uploadId, fileName: basename(file) });
    for (const [store, d] of [
      [fresh, own],
      [s, got],
      [s2, own2],
      [app, inApp],
    ] as const) {
      expect(d.rows).toBe(onePass.rowCount);
      expect(d.summary).toEqual(summarizeFleet(onePass));
      // reading the table back checks every column against its stored SHA-256
      sameTable(await store.table(d.datasetId), onePass);
    }
    for (const d of [got, own2, inApp]) expect({ ...d, datasetId: undefined, createdAt: undefined }).toEqual({ ...own, datasetId: undefined, createdAt: undefined });
    // the same file again, the table first: refused (ask) or answered with the dataset there (reuse), nothing
    // written; as a new copy (new), stored whole
    const wait = async (duplicates: 'ask' | 'reuse' | 'new') => fresh.jobs.wait((await fresh.handlers['datasets:import']({ source: { kind: 'path', path: file }, duplicates })).jobId);
    const asked = await wait('ask');
    expect(asked.state).toBe('failed');
    expect(asked.error?.code).toBe('CONFLICT');
    const reused = await wait('reuse');
    expect(reused.result).toMatchObject({ dataset: { datasetId: own.datasetId }, reused: true });
    expect(fresh.store.listDatasets()).toHaveLength(1);
    const copy = await wait('new');
    expect(copy.result).toMatchObject({ duplicateOf: [own.datasetId] });
    const copyId = (copy.result as { dataset: DatasetRecord }).dataset.datasetId;
    sameTable(await fresh.table(copyId), onePass);
    expect(fresh.store.listDatasets()).toHaveLength(2);
    for (let i = 0; i < 100 && liveWorkerCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(liveWorkerCount()).toBe(0);
  }, 180_000);
});
