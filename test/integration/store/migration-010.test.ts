/** 010 — dataset roles, run names, bundle names: an existing store upgrades with no data lost. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { columnNames, makeTable, summarize, tableNames, tempDir } from './helpers';

const upTo = (n: number) => MIGRATIONS.slice(0, n);

/** A dataset written with raw SQL the way a version-1 store holds it. */
function insertV1Dataset(db: Database.Database, id: string, withRul: boolean): void {
  const table = makeTable([3, 2], { columns: [{ name: 's1', original: 's1', role: 'sensor' }] });
  const summary = { ...summarize(table), hasRul: withRul };
  db.prepare(
    `INSERT INTO datasets VALUES (?, ?, 'cmapss', '/data/x.txt', ?, ?, '2024-01-01T00:00:00.000Z', 5, 2, 2, 3, ?, ?)`,
  ).run(id, `name of ${id}`, withRul ? '/data/RUL_x.txt' : null, `fp-${id}`, withRul ? 1 : 0, JSON.stringify(summary));
  const col = db.prepare('INSERT INTO dataset_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  col.run(id, 0, 'unit', 'unit', 'unit', 'int32', 5, bytes(table.unit));
  col.run(id, 1, 'cycle', 'cycle', 'cycle', 'int32', 5, bytes(table.cycle));
  col.run(id, 2, 's1', 's1', 'sensor', 'float64', 5, bytes(table.values[0]!));
  if (withRul) for (const [u, r] of [[1, 10], [2, 20]]) db.prepare('INSERT INTO rul_at_end VALUES (?, ?, ?)').run(id, u, r);
}

function rows(db: Database.Database, sql: string): unknown[] {
  return db.prepare(sql).all();
}

describe('010 roles and names', () => {
  it('adds a role to every dataset (test with a RUL file, else training), run names and bundle names, keeping the data', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'prognos.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, upTo(1));
    insertV1Dataset(db, 'ds_train', false);
    insertV1Dataset(db, 'ds_test', true);
    migrate(db, upTo(3));
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at, finished_at, result_json)
       VALUES ('run_1', 'ds_train', 'train', 'done', '{"models":["gbdt"]}', 1, 'fp-ds_train', '2024-01-02T00:00:00.000Z', '2024-01-02T00:01:00.000Z', '{"threshold":0.5}')`,
    ).run();
    expect(migrate(db, upTo(9))).toEqual([4, 5, 6, 7, 8, 9]);
    const before = {
      datasets: rows(db, 'SELECT * FROM datasets ORDER BY dataset_id'),
      columns: rows(db, 'SELECT * FROM dataset_columns ORDER BY dataset_id, position'),
      rul: rows(db, 'SELECT * FROM rul_at_end ORDER BY dataset_id, unit'),
      runs: rows(db, 'SELECT * FROM runs ORDER BY run_id'),
    };

    expect(migrate(db, upTo(10))).toEqual([10]);
    expect(migrate(db, upTo(10))).toEqual([]);
    expect(columnNames(db, 'datasets').at(-1)).toBe('role');
    expect(columnNames(db, 'runs').at(-1)).toBe('name');
    expect(tableNames(db)).toContain('bundle_names');
    expect(rows(db, 'SELECT dataset_id, role FROM datasets ORDER BY dataset_id')).toEqual([
      { dataset_id: 'ds_test', role: 'test' },
      { dataset_id: 'ds_train', role: 'training' },
    ]);
    expect(rows(db, 'SELECT run_id, name FROM runs')).toEqual([{ run_id: 'run_1', name: null }]);
    // everything that was there is there, byte for byte
    const strip = (xs: unknown[], key: string) => xs.map((x) => Object.fromEntries(Object.entries(x as object).filter(([k]) => k !== key)));
    expect(strip(rows(db, 'SELECT * FROM datasets ORDER BY dataset_id'), 'role')).toEqual(before.datasets);
    expect(rows(db, 'SELECT * FROM dataset_columns ORDER BY dataset_id, position')).toEqual(before.columns);
    expect(rows(db, 'SELECT * FROM rul_at_end ORDER BY dataset_id, unit')).toEqual(before.rul);
    expect(strip(rows(db, 'SELECT * FROM runs ORDER BY run_id'), 'name')).toEqual(before.runs);

    // the checks hold: a role outside the three, an empty name
    expect(() => db.prepare("UPDATE datasets SET role = 'validation' WHERE dataset_id = 'ds_train'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE runs SET name = '   ' WHERE run_id = 'run_1'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO bundle_names VALUES ('store:x', '', '2024-01-01')").run()).toThrow(/CHECK/);
    db.close();

    // the store reads the upgraded data: roles, names, and the tables with their checksums
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    try {
      expect(store.listDatasets().map((d) => [d.datasetId, d.role])).toEqual([
        ['ds_train', 'training'],
        ['ds_test', 'test'],
      ].sort((a, b) => b[0]!.localeCompare(a[0]!)));
      expect(store.loadTable('ds_test').rulAtEnd?.get(2)).toBe(20);
      const hk = store.housekeeping();
      hk.setDatasetRole('ds_test', 'unlabeled');
      hk.renameRun('run_1', 'baseline');
      hk.setBundleName('store:b1', 'line 1 model');
      expect(store.getDataset('ds_test')?.role).toBe('unlabeled');
      expect(hk.runName('run_1')).toBe('baseline');
      expect(hk.bundleNames().get('store:b1')).toBe('line 1 model');
      expect(hk.runsOfDataset('ds_train').map((r) => r.runId)).toEqual(['run_1']);
      expect(() => hk.setDatasetRole('ds_nope', 'training')).toThrow(/No dataset ds_nope/);
    } finally {
      store.close();
    }
  });
});
