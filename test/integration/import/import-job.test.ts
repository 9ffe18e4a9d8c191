/**
 * Import through the real path: worker thread, validation, store commit. After any failure or
 * cancel the store is exactly as before.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { AppServices } from '../../../src/main/services/app-services';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import type { JobFinished } from '../../../src/shared/contract';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CMAPSS, FIXTURES, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let storeDir: string;

/** A content hash of every table in the store (through a second, read-only connection). */
function storeHash(): string {
  const db = new Database(join(storeDir, 'prognos.db'), { readonly: true });
  try {
    const h = createHash('sha256');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) {
      h.update(name);
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).iterate() as IterableIterator<Record<string, unknown>>) {
        // blobs are hashed as their bytes: JSON.stringify would first turn a Buffer into an array of numbers
        // (Buffer#toJSON runs before any replacer), seconds of work per call on the store's column blobs
        for (const [column, v] of Object.entries(row)) {
          if (Buffer.isBuffer(v)) h.update(`${column}=blob ${v.byteLength}:`).update(v);
          else h.update(`${column}=${JSON.stringify(v)}`);
          h.update('\t');
        }
        h.update('\n');
      }
    }
    return h.digest('hex');
  } finally {
    db.close();
  }
}

async function importFile(path: string, rul?: string): Promise<JobFinished> {
  const { jobId } = await services.handlers['datasets:import']({
    source: { kind: 'path', path },
    ...(rul === undefined ? {} : { rul: { kind: 'path' as const, path: rul } }),
  });
  return services.jobs.wait(jobId);
}

beforeAll(async () => {
  requireBuild();
  storeDir = tempDir();
  services = new AppServices({ storeDir, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  // one dataset in the store, so "unchanged" is about real content
  const first = await importFile(join(CMAPSS, 'test_FD001.txt'), join(CMAPSS, 'RUL_FD001.txt'));
  expect(first.state).toBe('done');
});
afterAll(async () => {
  await services.close();
});

const BAD_CASES: [string, string | undefined, RegExp][] = [
  ['non-numeric.txt', undefined, /non-numeric\.txt:\d+: column \w+: ".+" is not a number/],
  ['wrong-columns.txt', undefined, /wrong-columns\.txt:\d+: expected 26 values, found \d+/],
  ['missing-value.csv', undefined, /missing-value\.csv:\d+: column \w+: missing value/],
  ['cycle-not-increasing.txt', undefined, /cycle-not-increasing\.txt:\d+: .*cycle \d+ follows cycle \d+ of unit \d+/],
  ['duplicate-cycle.txt', undefined, /duplicate-cycle\.txt:\d+: .*unit \d+.*cycle \d+/],
  ['empty.txt', undefined, /empty\.txt: .*empty/],
  ['binary.bin', undefined, /binary\.bin.*not a text file/],
  ['rul-mismatch-data.txt', 'rul-mismatch-rul.txt', /RUL file has \d+ values but the data has \d+ units/],
];

describe('import job', () => {
  it('imports FD001 train through the worker with the expected figures', async () => {
    const f = await importFile(join(CMAPSS, 'train_FD001.txt'));
    expect(f.state).toBe('done');
    const r = f.result as { dataset: { rows: number; units: number; minCycles: number; maxCycles: number }; duplicateOf: string[] };
    expect(r.dataset).toMatchObject({ rows: 20631, units: 100, minCycles: 128, maxCycles: 362 });
    expect(r.duplicateOf).toEqual([]);
    const again = await importFile(join(CMAPSS, 'train_FD001.txt'));
    expect((again.result as { duplicateOf: string[] }).duplicateOf).toEqual([(f.result as { dataset: { datasetId: string } }).dataset.datasetId]);
  });

  it.each(BAD_CASES)('refuses %s with file, line and reason, leaving the store unchanged', async (file, rul, message) => {
    const before = storeHash();
    const f = await importFile(join(FIXTURES, 'bad', file), rul === undefined ? undefined : join(FIXTURES, 'bad', rul));
    expect(f.state).toBe('failed');
    expect(f.error?.code).toBe('BAD_FILE');
    expect(f.error?.message).toMatch(message);
    expect(storeHash()).toBe(before);
  });

  it('a cancel half way through a big file leaves no trace', async () => {
    const big = join(tempDir(), 'big.txt');
    await writeSynthFleet({ units: 1500, seed: 3, out: big });
    const before = storeHash();
    const datasetsBefore = services.store.listDatasets().length;
    const { jobId } = await services.handlers['datasets:import']({ source: { kind: 'path', path: big } });
    await new Promise<void>((resolve) => {
      const off = services.bus.subscribe((e) => {
        if (e.name === 'job:progress' && e.payload.jobId === jobId && e.payload.fraction > 0.2) {
          off();
          resolve();
        }
      });
    });
    await services.handlers['jobs:cancel']({ jobId });
    const f = await services.jobs.wait(jobId);
    expect(f.state).toBe('cancelled');
    expect(services.store.listDatasets()).toHaveLength(datasetsBefore);
    expect(storeHash()).toBe(before);
  });

  it('names an uploaded file by its original name in messages', async () => {
    const tmp = join(tempDir(), 'x.bin');
    writeFileSync(tmp, '1 1 0 0 100 abc\n');
    const { Readable } = await import('node:stream');
    const uploadId = await services.uploads.receive('engine-42.txt', Readable.from([Buffer.from('1 1 0 0 100 abc\n')]));
    const { jobId } = await services.handlers['datasets:import']({ source: { kind: 'upload', uploadId, fileName: 'engine-42.txt' } });
    const f = await services.jobs.wait(jobId);
    expect(f.error?.message).toMatch(/^engine-42\.txt:1: /);
  });
});
