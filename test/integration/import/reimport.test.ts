/**
 * Re-importing the same file asks first: `duplicates: 'ask'` refuses with CONFLICT naming the
 * dataset already in the store and writes nothing; 'reuse' answers with that dataset; 'new' imports
 * another copy under the name given. A RUL file makes a different dataset (a test fleet is not its
 * unlabeled twin). The CLI says so and takes --reuse / --as-new NAME.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynthFleet } from '../../../src/main/core/data/synth';
import { AppServices } from '../../../src/main/services/app-services';
import type { ImportRequest, ImportResult } from '../../../src/shared/schemas';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, CLI, requireBuild, tempDir } from '../../helpers/paths';

let services: AppServices;
let storeDir: string;
const dir = tempDir('prognos-reimport-');
const fleet = join(dir, 'fleet.txt');
const testFleet = join(dir, 'service.txt');
const rulFile = join(dir, 'RUL_service.txt');
let firstId = '';

async function importWith(extra: Partial<ImportRequest>, path = fleet, rul?: string) {
  const { jobId } = await services.handlers['datasets:import']({ source: { kind: 'path', path }, ...(rul === undefined ? {} : { rul: { kind: 'path' as const, path: rul } }), ...extra });
  return services.jobs.wait(jobId);
}

function prognos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--store', storeDir], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  requireBuild();
  storeDir = tempDir();
  await writeSynthFleet({ units: 6, seed: 11, out: fleet });
  await writeSynthFleet({ units: 6, seed: 12, out: testFleet, rulOut: rulFile });
  services = new AppServices({ storeDir, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
  const first = await importWith({ name: 'Engines A', duplicates: 'ask' });
  expect(first.state).toBe('done');
  firstId = (first.result as ImportResult).dataset.datasetId;
});
afterAll(async () => {
  await services.close();
});

describe('re-import of the same file', () => {
  it('asks: CONFLICT naming the existing dataset, and nothing is written', async () => {
    const before = services.store.listDatasets();
    const again = await importWith({ duplicates: 'ask' });
    expect(again.state).toBe('failed');
    expect(again.error?.code).toBe('CONFLICT');
    expect(again.error?.message).toMatch(/^fleet\.txt has the same content as the dataset "Engines A" \(/);
    expect(again.error?.message).not.toContain(dir);
    expect(again.error?.details?.existing).toEqual([{ datasetId: firstId, name: 'Engines A', createdAt: before[0]!.createdAt }]);
    expect(services.store.listDatasets()).toEqual(before);
  });

  it('reuse answers with the existing dataset and imports nothing', async () => {
    const before = services.store.listDatasets().length;
    const r = await importWith({ duplicates: 'reuse' });
    expect(r.state).toBe('done');
    expect(r.result).toMatchObject({ dataset: { datasetId: firstId, name: 'Engines A' }, reused: true });
    expect(services.store.listDatasets()).toHaveLength(before);
  });

  it('new imports another copy under its new name; the same file with a RUL file is another dataset', async () => {
    const copy = await importWith({ duplicates: 'new', name: 'Engines A (2)' });
    expect(copy.state).toBe('done');
    const copied = copy.result as ImportResult;
    expect(copied.dataset.datasetId).not.toBe(firstId);
    expect(copied.dataset.name).toBe('Engines A (2)');
    expect(copied.duplicateOf).toEqual([firstId]);
    expect(services.store.loadTable(copied.dataset.datasetId).unit).toEqual(services.store.loadTable(firstId).unit);
    // asking again now names the newest copy first, and both
    const asked = await importWith({ duplicates: 'ask' });
    expect((asked.error?.details?.existing as { datasetId: string }[]).map((e) => e.datasetId).sort()).toEqual([firstId, copied.dataset.datasetId].sort());

    const plain = await importWith({ duplicates: 'ask' }, testFleet);
    expect(plain.state).toBe('done');
    const withRul = await importWith({ duplicates: 'ask' }, testFleet, rulFile);
    expect(withRul.state, withRul.error?.message).toBe('done');
    expect((withRul.result as ImportResult).dataset.rulFile).toBe('RUL_service.txt');
    const rulAgain = await importWith({ duplicates: 'ask' }, testFleet, rulFile);
    expect(rulAgain.error?.code).toBe('CONFLICT');
  });

  it('the CLI refuses with the options to use, and takes --reuse and --as-new NAME', async () => {
    const count = services.store.listDatasets().length;
    const refused = await prognos('import', fleet);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/fleet\.txt has the same content as the dataset "Engines A \(2\)"/);
    expect(refused.stderr).toMatch(/Nothing was imported: run again with --reuse to use that dataset, or with --as-new NAME to import another copy under NAME\./);
    expect(refused.stdout).toBe('');

    const reused = await prognos('import', fleet, '--reuse', '--json');
    expect(reused.code, reused.stderr).toBe(0);
    expect(JSON.parse(reused.stdout)).toMatchObject({ name: 'Engines A (2)', reused: true });

    const fresh = await prognos('import', fleet, '--as-new', 'Engines A (3)', '--json');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ name: 'Engines A (3)' });

    const both = await prognos('import', fleet, '--reuse', '--as-new', 'X');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--reuse and --as-new: give one of them/);
    const inStore = new AppServices({ storeDir, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test' });
    try {
      expect(inStore.store.listDatasets()).toHaveLength(count + 1);
    } finally {
      await inStore.close();
    }
  });
});
