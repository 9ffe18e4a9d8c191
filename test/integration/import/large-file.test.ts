/**
 * A file large enough to be parsed on two threads (≥ 32 MiB): the helper thread parses the second
 * part, then hashes and summarises the whole table while the import worker detects the regimes, and
 * the store writes the hashes it was given. Through a worker started early (its helper started
 * before the worker's code loads) and through one of the job's own, the dataset is the one a single
 * pass makes: the same summary, and columns whose stored SHA-256 checks out when read back.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { PARALLEL_MIN_BYTES } from '../../../src/main/core/data/parallel';
import { summarizeFleet } from '../../../src/main/core/data/summary';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import type { FleetTable } from '../../../src/main/core/data/table';
import { AppServices } from '../../../src/main/services/app-services';
import { startImportEarly } from '../../../src/main/services/import-early';
import { liveWorkerCount } from '../../../src/main/services/early-worker';
import type { DatasetRecord } from '../../../src/shared/schemas';
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

function services(earlyImport?: ReturnType<typeof startImportEarly>): AppServices {
  const s = new AppServices({ storeDir: tempDir(), mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test', ...(earlyImport === undefined ? {} : { earlyImport }) });
  open.push(s);
  return s;
}

async function importVia(s: AppServices): Promise<DatasetRecord> {
  const { jobId } = await s.handlers['datasets:import']({ source: { kind: 'path', path: file } });
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

  it('stores what one pass makes, through an early worker and through a worker of its own', async () => {
    const fresh = services();
    const own = await importVia(fresh);
    const early = startImportEarly(BUILT_IMPORT_WORKER, { type: 'parse', path: file, displayName: basename(file) });
    const s = services(early);
    const got = await importVia(s);
    expect(early.taken).toBe(true);
    for (const [store, d] of [
      [fresh, own],
      [s, got],
    ] as const) {
      expect(d.rows).toBe(onePass.rowCount);
      expect(d.summary).toEqual(summarizeFleet(onePass));
      // reading the table back checks every column against its stored SHA-256
      sameTable(await store.table(d.datasetId), onePass);
    }
    expect({ ...got, datasetId: undefined, createdAt: undefined }).toEqual({ ...own, datasetId: undefined, createdAt: undefined });
    for (let i = 0; i < 100 && liveWorkerCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(liveWorkerCount()).toBe(0);
  }, 120_000);
});
