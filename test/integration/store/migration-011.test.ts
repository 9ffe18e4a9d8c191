/** Migration 011 (column mappings, dataset sensor catalogues) on an existing store, and numbered gaps. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { appliedMigrations, migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { headerSignature } from '../../../src/main/core/store/column-mappings';
import { ColumnMappingService } from '../../../src/main/services/column-mappings';
import { columnNames, makeTable, newDataset, tableNames, tempDir } from './helpers';
import { CMAPSS_VALUE_COLUMNS } from '../../../src/main/core/data/table';

const upTo9 = MIGRATIONS.filter((m) => m.version <= 9);

function openDb(dir: string): Database.Database {
  const db = new Database(join(dir, 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

describe('011 column mappings', () => {
  it('adds column_mappings and dataset_sensors to a version-10 store, keeping its datasets, which show the default catalogue', () => {
    const dir = tempDir();
    // a store written by the previous build: schema 10 and one C-MAPSS dataset
    const old = ExperimentStore.open(dir);
    const table = makeTable([4, 3], { columns: CMAPSS_VALUE_COLUMNS });
    const d = old.insertDataset(newDataset(table, { name: 'old fleet' }));
    old.close();
    const db = openDb(dir);
    db.exec('DROP TABLE column_mappings; DROP TABLE dataset_sensors; DELETE FROM schema_migrations WHERE version = 11;');
    expect(appliedMigrations(db).filter((m) => m.version <= 11).at(-1)).toMatchObject({ version: 10 });
    const datasetsBefore = db.prepare('SELECT * FROM datasets').all();
    const columnsBefore = db.prepare('SELECT * FROM dataset_columns ORDER BY dataset_id, position').all();

    expect(migrate(db, MIGRATIONS)).toEqual([11]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['column_mappings', 'dataset_sensors']));
    expect(columnNames(db, 'column_mappings')).toEqual(['signature', 'headers_json', 'roles_json', 'catalogue_json', 'updated_at']);
    expect(columnNames(db, 'dataset_sensors')).toEqual(['dataset_id', 'catalogue_json', 'updated_at']);
    expect(db.prepare('SELECT * FROM datasets').all()).toEqual(datasetsBefore);
    expect(db.prepare('SELECT * FROM dataset_columns ORDER BY dataset_id, position').all()).toEqual(columnsBefore);
    expect(migrate(db, MIGRATIONS)).toEqual([]);
    expect(appliedMigrations(db).filter((m) => m.version <= 11).at(-1)).toMatchObject({ version: 11, name: 'column-mappings' });
    // only JSON goes in; a signature is a SHA-256; a catalogue needs its dataset
    expect(() => db.prepare("INSERT INTO column_mappings VALUES (?, '[]', '{', NULL, 'x')").run('a'.repeat(64))).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO column_mappings VALUES ('short', '[]', '{}', NULL, 'x')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO dataset_sensors VALUES ('ds_missing', '[]', 'x')").run()).toThrow(/FOREIGN KEY/);
    db.close();

    const store = ExperimentStore.open(dir);
    try {
      const service = new ColumnMappingService(store);
      // the dataset from before shows the C-MAPSS preset until it is edited
      const catalogue = service.catalogueOf(d.datasetId);
      expect(catalogue.find((e) => e.column === 's2')).toMatchObject({ name: 'T24', unit: '°R' });
      expect(store.columnMappings().datasetCatalogue(d.datasetId)).toBeNull();
      store.columnMappings().setDatasetCatalogue(d.datasetId, [{ column: 's2', name: 'LPC out', quantity: '', unit: 'K' }]);
      expect(service.catalogueOf(d.datasetId).find((e) => e.column === 's2')).toMatchObject({ name: 'LPC out', unit: 'K' });
      // remembered per header signature
      const headers = ['engine_id', 't', 'alt', 'x1'];
      store.columnMappings().remember(headers, { engine_id: 'unit', t: 'cycle', alt: 'setting', x1: 'sensor' }, null);
      expect(store.columnMappings().mappingFor(headers)).toMatchObject({ signature: headerSignature(headers), roles: { alt: 'setting' } });
      expect(store.columnMappings().mappingFor(['engine_id', 't', 'alt', 'x2'])).toBeUndefined();
      // deleting the dataset deletes its catalogue
      expect(store.deleteDataset(d.datasetId)).toBe(true);
      expect(store.columnMappings().datasetCatalogue(d.datasetId)).toBeNull();
    } finally {
      store.close();
    }
  });

  it('applies a migration numbered into a gap when it arrives, and refuses versions it does not know', () => {
    const db = openDb(tempDir());
    // a build that has 11 but not yet 10 (branches merged in another order)
    const upTo11 = MIGRATIONS.filter((m) => m.version <= 11);
    const without10 = upTo11.filter((m) => m.version !== 10);
    expect(migrate(db, without10)).toEqual([...upTo9.map((m) => m.version), 11]);
    expect(appliedMigrations(db).map((m) => m.version)).toEqual([...upTo9.map((m) => m.version), 11]);
    // 10 arrives: applied into the gap, 11 is not applied twice
    expect(migrate(db, upTo11)).toEqual([10]);
    expect(columnNames(db, 'datasets')).toContain('role');
    expect(appliedMigrations(db).map((m) => m.version)).toEqual(upTo11.map((m) => m.version));
    // a build without 10 meets a store that has it: written by a newer build
    let error: unknown;
    try {
      migrate(db, without10);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrognosError);
    expect((error as PrognosError).message).toMatch(/newer Prognos \(schema version 10/);
    db.close();
  });
});
