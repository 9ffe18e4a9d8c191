/**
 * A large dataset's insert (its files synced ahead of SQLite by a thread of their own, see
 * src/main/core/store/sync-ahead.ts) killed halfway leaves nothing of it in the store, and one killed
 * right after it returned is there, whole, when the store is opened again.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateStoreFile } from '../../../src/main/core/store/store-file';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { expectSameTable, makeTable, newDataset, tempDir } from '../store/helpers';
import { largeTable } from './large-table';

const stores: ExperimentStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** Runs insert-kill-child.ts to its death; returns what it printed. */
function killedInsert(dir: string, mode: 'mid' | 'after' | 'open'): { wal: number; datasetId: string | undefined } {
  const viteNode = join(process.cwd(), 'node_modules', '.bin', 'vite-node');
  const r = spawnSync(viteNode, [join(__dirname, 'insert-kill-child.ts'), dir, mode], { encoding: 'utf8', timeout: 120_000 });
  expect(r.signal, r.stderr).toBe('SIGKILL');
  const wal = /wal (\d+)/.exec(r.stdout);
  expect(wal, r.stdout + r.stderr).not.toBeNull();
  return { wal: Number(wal![1]), datasetId: /dataset (\S+)/.exec(r.stdout)?.[1] };
}

/** A store with one small dataset in it, closed; returns that dataset's id. */
function storeWithOneDataset(dir: string): string {
  const store = ExperimentStore.open(dir);
  const id = store.insertDataset(newDataset(makeTable([5, 7]), { name: 'small', fingerprint: 'fp-small' })).datasetId;
  store.close();
  return id;
}

describe('a large insert killed', () => {
  it('halfway, after the early flushes of the WAL, leaves the store as it was', () => {
    const dir = tempDir();
    const small = storeWithOneDataset(dir);
    const { wal, datasetId } = killedInsert(dir, 'mid');
    expect(datasetId).toBeUndefined();
    expect(wal).toBeGreaterThan(96 * 1024 * 1024); // the uncommitted columns had reached the WAL
    validateStoreFile(join(dir, 'prognos.db'));
    const store = ExperimentStore.open(dir);
    stores.push(store);
    expect(store.listDatasets().map((d) => d.name)).toEqual(['small']);
    expectSameTable(store.loadTable(small), makeTable([5, 7]));
  }, 180_000);

  it('with its columns written and the transaction left open for the record, leaves the store as it was', () => {
    const dir = tempDir();
    const small = storeWithOneDataset(dir);
    const { wal, datasetId } = killedInsert(dir, 'open');
    expect(datasetId).toBeUndefined();
    expect(wal).toBeGreaterThan(96 * 1024 * 1024);
    validateStoreFile(join(dir, 'prognos.db'));
    const store = ExperimentStore.open(dir);
    stores.push(store);
    expect(store.listDatasets().map((d) => d.name)).toEqual(['small']);
    expectSameTable(store.loadTable(small), makeTable([5, 7]));
  }, 180_000);

  it('right after it returned, is in the store, whole', () => {
    const dir = tempDir();
    storeWithOneDataset(dir);
    const { datasetId } = killedInsert(dir, 'after');
    expect(datasetId).toBeDefined();
    validateStoreFile(join(dir, 'prognos.db'));
    const store = ExperimentStore.open(dir);
    stores.push(store);
    expect(store.listDatasets().map((d) => d.name).sort()).toEqual(['large', 'small']);
    // loadTable checks every column against its stored SHA-256
    expectSameTable(store.loadTable(datasetId!), largeTable());
  }, 180_000);
});
