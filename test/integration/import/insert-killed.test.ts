/**
 * A large dataset's insert killed halfway leaves nothing of it in the store, and one killed right
 * after it returned is there, whole, when the store is opened again. Both ways a large insert goes:
 * alone with the store, through a rollback journal straight into the database file
 * (src/main/core/store/bulk-journal.ts; the next open rolls the hot journal back and returns the
 * store to WAL mode), and beside another open connection, through the write-ahead log; its files
 * synced ahead by a thread of their own (src/main/core/store/sync-ahead.ts) either way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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

const MiB = 1024 * 1024;

interface Death {
  wal: number;
  journal: number;
  db: number;
  datasetId: string | undefined;
}

/** Runs insert-kill-child.ts to its death; returns what it printed. */
function killedInsert(dir: string, mode: 'mid' | 'after' | 'open', company: 'alone' | 'shared'): Death {
  const viteNode = join(process.cwd(), 'node_modules', '.bin', 'vite-node');
  const r = spawnSync(viteNode, [join(__dirname, 'insert-kill-child.ts'), dir, mode, company], { encoding: 'utf8', timeout: 120_000 });
  expect(r.signal, r.stderr).toBe('SIGKILL');
  const read = (name: string): number => {
    const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    return Number(m![1]);
  };
  return { wal: read('wal'), journal: read('journal'), db: read('db'), datasetId: /dataset (\S+)/.exec(r.stdout)?.[1] };
}

/** A store with one small dataset in it, closed; returns that dataset's id and the database file's size. */
function storeWithOneDataset(dir: string): { small: string; bytes: number } {
  const store = ExperimentStore.open(dir);
  const small = store.insertDataset(newDataset(makeTable([5, 7]), { name: 'small', fingerprint: 'fp-small' })).datasetId;
  store.close();
  return { small, bytes: statSync(join(dir, 'prognos.db')).size };
}

/** Opens the store after the death (recovering what is to recover), checks it holds `names`, and that the file then passes the restore check. */
function reopened(dir: string, names: string[]): ExperimentStore {
  const store = ExperimentStore.open(dir);
  stores.push(store);
  expect(store.connectionSettings().journalMode).toBe('wal');
  expect(existsSync(join(dir, 'prognos.db-journal'))).toBe(false);
  expect(store.listDatasets().map((d) => d.name).sort()).toEqual(names);
  validateStoreFile(join(dir, 'prognos.db'));
  return store;
}

describe('a large insert killed', () => {
  it.each([
    ['mid', 'as its last column is written'],
    ['open', 'with its columns written and the transaction left open for the record'],
  ] as const)('%s (%s), alone with the store: the hot journal is rolled back, the store as it was', (mode, _when) => {
    const dir = tempDir();
    const { small, bytes } = storeWithOneDataset(dir);
    const death = killedInsert(dir, mode, 'alone');
    expect(death.datasetId).toBeUndefined();
    // the columns went straight into the database file, journaled only by the file's old size
    expect(death.db - bytes).toBeGreaterThan(96 * MiB);
    expect(death.journal).toBeGreaterThan(0);
    expect(death.journal).toBeLessThan(4 * MiB);
    expect(death.wal).toBe(0);
    const store = reopened(dir, ['small']);
    expectSameTable(store.loadTable(small), makeTable([5, 7]));
  }, 180_000);

  it('halfway beside another connection, after the early syncs of the WAL, leaves the store as it was', () => {
    const dir = tempDir();
    const { small } = storeWithOneDataset(dir);
    const death = killedInsert(dir, 'mid', 'shared');
    expect(death.datasetId).toBeUndefined();
    expect(death.wal).toBeGreaterThan(96 * MiB); // the uncommitted columns had reached the WAL
    expect(death.journal).toBe(0);
    const store = reopened(dir, ['small']);
    expectSameTable(store.loadTable(small), makeTable([5, 7]));
  }, 180_000);

  it('right after it returned, is in the store, whole, which is back in WAL mode', () => {
    const dir = tempDir();
    storeWithOneDataset(dir);
    const death = killedInsert(dir, 'after', 'alone');
    expect(death.datasetId).toBeDefined();
    expect(death.journal).toBe(0);
    const store = reopened(dir, ['large', 'small']);
    // loadTable checks every column against its stored SHA-256
    expectSameTable(store.loadTable(death.datasetId!), largeTable());
  }, 180_000);
});
