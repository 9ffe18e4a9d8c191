/** One test per migration: tables, columns and indexes; idempotence; upgrades keep data. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { appliedMigrations, migrate, schemaVersionOf } from '../../../src/main/core/store/migrate';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { columnNames, indexColumns, indexNames, makeTable, summarize, tableNames, tempDir } from './helpers';

function freshDb(): Database.Database {
  const db = new Database(join(tempDir(), 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

const upTo = (n: number) => MIGRATIONS.slice(0, n);

/** A dataset written the way a version-1 store holds it (raw SQL, independent of today's code). */
function insertV1Dataset(db: Database.Database, id: string): void {
  const table = makeTable([3, 2], { columns: [{ name: 's1', original: 's1', role: 'sensor' }] });
  const summary = summarize(table);
  db.prepare(
    `INSERT INTO datasets VALUES (?, 'old', 'cmapss', '/data/old.txt', NULL, 'fp-old', '2024-01-01T00:00:00.000Z', 5, 2, 2, 3, 0, ?)`,
  ).run(id, JSON.stringify(summary));
  const col = db.prepare('INSERT INTO dataset_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  col.run(id, 0, 'unit', 'unit', 'unit', 'int32', 5, bytes(table.unit));
  col.run(id, 1, 'cycle', 'cycle', 'cycle', 'int32', 5, bytes(table.cycle));
  col.run(id, 2, 's1', 's1', 'sensor', 'float64', 5, bytes(table.values[0]!));
}

describe('migration runner', () => {
  it('numbers migrations 1..n and reports the latest version', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(LATEST_SCHEMA_VERSION).toBe(16);
  });

  it('refuses a migration list out of order', () => {
    const db = freshDb();
    expect(() => migrate(db, [MIGRATIONS[1]!, MIGRATIONS[0]!])).toThrow(/expected a version above 2/);
    db.close();
  });

  it('refuses a database written by a newer build', () => {
    const db = freshDb();
    migrate(db, MIGRATIONS);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00.000Z')").run();
    let error: unknown;
    try {
      migrate(db, MIGRATIONS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrognosError);
    expect((error as PrognosError).code).toBe('BAD_FILE');
    expect((error as PrognosError).message).toMatch(/newer Prognos \(schema version 99/);
    db.close();
  });

  it('rolls a failing migration back completely', () => {
    const db = freshDb();
    const broken = {
      version: 1,
      name: 'broken',
      up(d: Database.Database) {
        d.exec('CREATE TABLE half (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [broken])).toThrow('boom');
    expect(tableNames(db)).toEqual(['schema_migrations']);
    expect(schemaVersionOf(db)).toBe(0);
    db.close();
  });
});

describe('001 datasets', () => {
  it('creates datasets, dataset_columns and rul_at_end with their indexes, once', () => {
    const db = freshDb();
    expect(migrate(db, upTo(1))).toEqual([1]);
    expect(tableNames(db)).toEqual(['dataset_columns', 'datasets', 'rul_at_end', 'schema_migrations']);
    expect(columnNames(db, 'datasets')).toEqual([
      'dataset_id',
      'name',
      'format',
      'source_file',
      'rul_file',
      'fingerprint',
      'created_at',
      'row_count',
      'unit_count',
      'min_cycles',
      'max_cycles',
      'has_rul_at_end',
      'summary_json',
    ]);
    expect(columnNames(db, 'dataset_columns')).toEqual([
      'dataset_id',
      'position',
      'name',
      'original',
      'role',
      'dtype',
      'length',
      'data',
    ]);
    expect(columnNames(db, 'rul_at_end')).toEqual(['dataset_id', 'unit', 'rul']);
    expect(indexNames(db, 'datasets')).toContain('datasets_fingerprint');
    expect(indexColumns(db, 'datasets_fingerprint')).toEqual(['fingerprint']);

    const applied = appliedMigrations(db);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ version: 1, name: 'datasets' });
    expect(new Date(applied[0]!.appliedAt).toISOString()).toBe(applied[0]!.appliedAt);

    // idempotent: recorded in schema_migrations, so a second run does nothing
    expect(migrate(db, upTo(1))).toEqual([]);
    expect(appliedMigrations(db)).toEqual(applied);
    expect(schemaVersionOf(db)).toBe(1);
    db.close();
  });

  it('enforces one unit/cycle column and unique value column names per dataset', () => {
    const db = freshDb();
    migrate(db, upTo(1));
    insertV1Dataset(db, 'ds_a');
    const col = db.prepare('INSERT INTO dataset_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    expect(() => col.run('ds_a', 3, 'u2', 'u2', 'unit', 'int32', 0, Buffer.alloc(0))).toThrow(/UNIQUE/);
    expect(() => col.run('ds_a', 3, 's1', 's1', 'setting', 'float64', 0, Buffer.alloc(0))).toThrow(/UNIQUE/);
    expect(() => col.run('ds_missing', 0, 'unit', 'unit', 'unit', 'int32', 0, Buffer.alloc(0))).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('002 experiments and runs', () => {
  it('adds experiments, runs, params and metrics to a version-1 store, keeping its datasets', () => {
    const db = freshDb();
    migrate(db, upTo(1));
    insertV1Dataset(db, 'ds_old');
    const before = db.prepare('SELECT * FROM dataset_columns ORDER BY position').all();

    expect(migrate(db, upTo(2))).toEqual([2]);
    expect(tableNames(db)).toEqual([
      'dataset_columns',
      'datasets',
      'experiments',
      'metrics',
      'params',
      'rul_at_end',
      'runs',
      'schema_migrations',
    ]);
    expect(columnNames(db, 'runs')).toEqual([
      'run_id',
      'experiment_id',
      'dataset_id',
      'kind',
      'status',
      'config_json',
      'seed',
      'dataset_fingerprint',
      'backend',
      'error',
      'result_json',
      'owner_pid',
      'created_at',
      'finished_at',
    ]);
    expect(columnNames(db, 'params')).toEqual(['run_id', 'key', 'value_json']);
    expect(columnNames(db, 'metrics')).toEqual(['metric_id', 'run_id', 'key', 'step', 'value', 'logged_at']);
    expect(indexColumns(db, 'runs_dataset')).toEqual(['dataset_id']);
    expect(indexColumns(db, 'metrics_run_key_step')).toEqual(['run_id', 'key', 'step']);

    expect(db.prepare('SELECT * FROM dataset_columns ORDER BY position').all()).toEqual(before);
    expect(migrate(db, upTo(2))).toEqual([]);
    expect(schemaVersionOf(db)).toBe(2);

    // runs hang off datasets and go with them
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at)
       VALUES ('run_1', 'ds_old', 'train', 'done', '{}', 1, 'fp-old', '2024-01-01T00:00:00.000Z')`,
    ).run();
    db.prepare("INSERT INTO metrics (run_id, key, step, value, logged_at) VALUES ('run_1', 'loss', 0, 0.5, 'x')").run();
    expect(() => db.prepare("UPDATE runs SET status = 'paused' WHERE run_id = 'run_1'").run()).toThrow(/CHECK/);
    db.prepare("DELETE FROM datasets WHERE dataset_id = 'ds_old'").run();
    expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM metrics').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('003 artifacts, models and reports', () => {
  it('adds artifacts, models and reports to a version-2 store, keeping its runs', () => {
    const db = freshDb();
    migrate(db, upTo(2));
    insertV1Dataset(db, 'ds_old');
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at)
       VALUES ('run_1', 'ds_old', 'train', 'done', '{"w":0.6}', 1, 'fp-old', '2024-01-01T00:00:00.000Z')`,
    ).run();
    db.prepare("INSERT INTO params VALUES ('run_1', 'lr', '0.1')").run();
    const runsBefore = db.prepare('SELECT * FROM runs').all();

    expect(migrate(db, upTo(3))).toEqual([3]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['artifacts', 'models', 'reports']));
    expect(columnNames(db, 'artifacts')).toEqual([
      'artifact_id',
      'run_id',
      'name',
      'kind',
      'media_type',
      'size',
      'sha256',
      'data',
      'created_at',
    ]);
    expect(columnNames(db, 'models')).toEqual(['run_id', 'kind', 'artifact_id', 'meta_json', 'created_at']);
    expect(columnNames(db, 'reports')).toEqual([
      'report_id',
      'run_id',
      'title',
      'size',
      'sha256',
      'data',
      'created_at',
    ]);
    expect(indexColumns(db, 'reports_run')).toEqual(['run_id']);

    expect(db.prepare('SELECT * FROM runs').all()).toEqual(runsBefore);
    expect(db.prepare('SELECT * FROM params').all()).toEqual([{ run_id: 'run_1', key: 'lr', value_json: '0.1' }]);
    expect(migrate(db, upTo(3))).toEqual([]);
    expect(appliedMigrations(db).map((m) => m.name)).toEqual([
      'datasets',
      'experiments-runs',
      'artifacts-models-reports',
    ]);

    // artifacts go with their run, models with their artifact
    db.prepare(`INSERT INTO artifacts VALUES ('art_1', 'run_1', 'gbdt.onnx', 'model', NULL, 1, ?, x'00', 'x')`).run(
      '0'.repeat(64),
    );
    db.prepare("INSERT INTO models VALUES ('run_1', 'gbdt', 'art_1', NULL, 'x')").run();
    db.prepare("DELETE FROM artifacts WHERE artifact_id = 'art_1'").run();
    expect(db.prepare('SELECT count(*) AS n FROM models').get()).toEqual({ n: 0 });
    db.close();
  });

  it('ExperimentStore.open upgrades a version-1 store and reads its datasets', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'prognos.db'));
    db.pragma('journal_mode = WAL');
    migrate(db, upTo(1));
    insertV1Dataset(db, 'ds_old');
    db.close();

    const store = ExperimentStore.open(dir);
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    const t = store.loadTable('ds_old');
    const expected = makeTable([3, 2], { columns: [{ name: 's1', original: 's1', role: 'sensor' }] });
    expect(t).toEqual(expected);
    expect(store.getDataset('ds_old')).toMatchObject({ name: 'old', rows: 5, units: 2, minCycles: 2, maxCycles: 3 });
    store.close();
  });
});

describe('004 column checksums and run owners', () => {
  it('adds a SHA-256 to every existing column blob and owner columns to runs, keeping the data', () => {
    const db = freshDb();
    migrate(db, upTo(3));
    insertV1Dataset(db, 'ds_old');
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, owner_pid, created_at)
       VALUES ('run_1', 'ds_old', 'train', 'running', '{}', 1, 'fp-old', 4242, '2024-01-01T00:00:00.000Z')`,
    ).run();
    const columnsBefore = db
      .prepare('SELECT dataset_id, position, name, original, role, dtype, length, data FROM dataset_columns ORDER BY position')
      .all() as { data: Buffer }[];

    expect(migrate(db, upTo(4))).toEqual([4]);
    expect(columnNames(db, 'dataset_columns')).toEqual([
      'dataset_id',
      'position',
      'name',
      'original',
      'role',
      'dtype',
      'length',
      'data',
      'sha256',
    ]);
    expect(columnNames(db, 'runs').slice(-2)).toEqual(['owner_start', 'heartbeat_at']);
    expect(indexColumns(db, 'dataset_columns_key')).toEqual(['dataset_id', 'role']);
    expect(indexColumns(db, 'dataset_columns_name')).toEqual(['dataset_id', 'name']);

    const after = db
      .prepare('SELECT dataset_id, position, name, original, role, dtype, length, data, sha256 FROM dataset_columns ORDER BY position')
      .all() as { data: Buffer; sha256: string }[];
    expect(after.map(({ sha256: _sha, ...rest }) => rest)).toEqual(columnsBefore);
    // each hash is the SHA-256 of that row's own bytes (the three columns differ, so do their hashes)
    for (const row of after) expect(row.sha256).toBe(createHash('sha256').update(row.data).digest('hex'));
    expect(new Set(after.map((r) => r.sha256)).size).toBe(3);
    expect(db.prepare("SELECT owner_pid, owner_start, heartbeat_at FROM runs WHERE run_id = 'run_1'").get()).toEqual({
      owner_pid: 4242,
      owner_start: null,
      heartbeat_at: null,
    });

    // the constraints survive the rebuild, and the new column is required
    const col = db.prepare('INSERT INTO dataset_columns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    expect(() => col.run('ds_old', 3, 'u2', 'u2', 'unit', 'int32', 0, Buffer.alloc(0), 'a'.repeat(64))).toThrow(/UNIQUE/);
    expect(() => col.run('ds_old', 3, 's9', 's9', 'sensor', 'float64', 0, Buffer.alloc(0), 'short')).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare("INSERT INTO dataset_columns (dataset_id, position, name, original, role, dtype, length, data) VALUES ('ds_old', 3, 's9', 's9', 'sensor', 'float64', 0, x'')")
        .run(),
    ).toThrow(/NOT NULL/);
    expect(() => col.run('ds_missing', 0, 'unit', 'unit', 'unit', 'int32', 0, Buffer.alloc(0), 'a'.repeat(64))).toThrow(
      /FOREIGN KEY/,
    );
    db.prepare("DELETE FROM datasets WHERE dataset_id = 'ds_old'").run();
    expect(db.prepare('SELECT count(*) AS n FROM dataset_columns').get()).toEqual({ n: 0 });

    expect(migrate(db, upTo(4))).toEqual([]);
    expect(schemaVersionOf(db)).toBe(4);
    db.close();
  });
});

describe('005 keyring', () => {
  it('adds trusted_keys and settings (trust policy "default") to a version-4 store, keeping its data', () => {
    const db = freshDb();
    migrate(db, upTo(3));
    insertV1Dataset(db, 'ds_old');
    migrate(db, upTo(4));
    const before = db.prepare('SELECT * FROM dataset_columns ORDER BY position').all();

    expect(migrate(db, upTo(5))).toEqual([5]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['trusted_keys', 'settings']));
    expect(columnNames(db, 'trusted_keys')).toEqual(['key_id', 'name', 'public_key_pem', 'added_at']);
    expect(columnNames(db, 'settings')).toEqual(['key', 'value']);
    expect(indexColumns(db, 'trusted_keys_added')).toEqual(['added_at']);
    expect(db.prepare('SELECT key, value FROM settings').all()).toEqual([{ key: 'trust_policy', value: 'default' }]);
    expect(db.prepare('SELECT * FROM dataset_columns ORDER BY position').all()).toEqual(before);
    expect(migrate(db, upTo(5))).toEqual([]);
    expect(appliedMigrations(db).at(-1)).toMatchObject({ version: 5, name: 'keyring' });

    // a key id is a full SHA-256 fingerprint, names are required, one row per key
    const add = db.prepare("INSERT INTO trusted_keys VALUES (?, ?, 'pem', 'x')");
    expect(() => add.run('abc', 'short id')).toThrow(/CHECK/);
    expect(() => add.run('a'.repeat(64), '')).toThrow(/CHECK/);
    add.run('a'.repeat(64), 'release');
    expect(() => add.run('a'.repeat(64), 'again')).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });
});

describe('006 dataset regimes', () => {
  it('adds regimes_json (NULL for existing datasets) to a version-5 store, keeping its data, and the store reads it', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'prognos.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, upTo(3));
    insertV1Dataset(db, 'ds_old');
    migrate(db, upTo(5));
    const datasetsBefore = db.prepare('SELECT * FROM datasets').all();
    const columnsBefore = db.prepare('SELECT * FROM dataset_columns ORDER BY position').all();

    expect(migrate(db, upTo(6))).toEqual([6]);
    expect(columnNames(db, 'datasets').at(-1)).toBe('regimes_json');
    const after = db.prepare('SELECT * FROM datasets').all() as Record<string, unknown>[];
    expect(after).toEqual((datasetsBefore as Record<string, unknown>[]).map((r) => ({ ...r, regimes_json: null })));
    expect(db.prepare('SELECT * FROM dataset_columns ORDER BY position').all()).toEqual(columnsBefore);
    expect(migrate(db, upTo(6))).toEqual([]);
    expect(appliedMigrations(db).at(-1)).toMatchObject({ version: 6, name: 'dataset-regimes' });
    // only JSON goes in
    expect(() => db.prepare("UPDATE datasets SET regimes_json = '{not json' WHERE dataset_id = 'ds_old'").run()).toThrow(/CHECK/);
    db.close();

    // the upgraded store lists the old dataset with its data intact and no regimes yet
    const store = ExperimentStore.open(dir);
    try {
      const d = store.getDataset('ds_old')!;
      expect(d.regimes).toBeNull();
      expect(d.rows).toBe(5);
      expect(Array.from(store.loadTable('ds_old').values[0]!)).toHaveLength(5);
      // detected later, recorded once: a detection is never replaced
      const one = { method: 'm', k: 1, settings: [], scale: [], centroids: [[]], rows: [5], scores: [], sampleRows: 0, note: 'no operating-setting columns' };
      expect(store.setDatasetRegimes('ds_old', one)).toBe(true);
      expect(store.setDatasetRegimes('ds_old', { ...one, note: 'other' })).toBe(false);
      expect(store.getDataset('ds_old')!.regimes).toEqual(one);
      expect(() => store.setDatasetRegimes('ds_old', { ...one, k: 0 })).toThrow(/invalid regimes/);
    } finally {
      store.close();
    }
  });
});

describe('007 drift reports', () => {
  it('adds drift_reports with its history indexes to a version-6 store, keeping its data', () => {
    const db = freshDb();
    migrate(db, upTo(3));
    insertV1Dataset(db, 'ds_old');
    migrate(db, upTo(6));
    db.prepare(
      `INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at)
       VALUES ('run_1', 'ds_old', 'train', 'done', '{}', 1, 'fp-old', '2024-01-01T00:00:00.000Z')`,
    ).run();
    const runsBefore = db.prepare('SELECT * FROM runs').all();
    const columnsBefore = db.prepare('SELECT * FROM dataset_columns ORDER BY position').all();

    expect(migrate(db, upTo(7))).toEqual([7]);
    expect(tableNames(db)).toContain('drift_reports');
    expect(columnNames(db, 'drift_reports')).toEqual([
      'report_id',
      'created_at',
      'source_kind',
      'run_id',
      'bundle_id',
      'source_label',
      'current_kind',
      'current_id',
      'current_dataset_id',
      'current_label',
      'current_rows',
      'current_units',
      'current_labelled',
      'comparison',
      'method',
      'thresholds_json',
      'dataset_drift',
      'drifted_share',
      'estimated_f2',
      'domain_auc',
      'report_json',
    ]);
    expect(indexColumns(db, 'drift_reports_run')).toEqual(['run_id', 'created_at']);
    expect(indexColumns(db, 'drift_reports_bundle')).toEqual(['bundle_id', 'created_at']);
    expect(indexColumns(db, 'drift_reports_current')).toEqual(['current_dataset_id']);
    expect(db.prepare('SELECT * FROM runs').all()).toEqual(runsBefore);
    expect(db.prepare('SELECT * FROM dataset_columns ORDER BY position').all()).toEqual(columnsBefore);
    expect(migrate(db, upTo(7))).toEqual([]);
    expect(appliedMigrations(db).at(-1)).toMatchObject({ version: 7, name: 'drift-reports' });

    const insert = db.prepare(
      `INSERT INTO drift_reports VALUES (@id, 'x', @kind, @run, @bundle, 'label', @ck, 'cur', @cds, 'cur', 10, 2, 0, 'matched', @method, '{}', 0, @share, NULL, 0.5, @json)`,
    );
    const row = { id: 'drift_a', kind: 'run', run: 'run_1', bundle: null, ck: 'dataset', cds: 'ds_old', method: 'auto', share: 0.25, json: '{}' };
    insert.run(row);
    // only JSON, known methods, shares in [0, 1], exactly one source, a dataset link only for dataset data, known runs
    expect(() => insert.run({ ...row, id: 'drift_b', json: '{nope' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', method: 'chi2' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', share: 1.5 })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', bundle: 'store:b' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', kind: 'bundle' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', ck: 'file' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, id: 'drift_b', run: 'run_gone' })).toThrow(/FOREIGN KEY/);
    insert.run({ ...row, id: 'drift_c', kind: 'bundle', run: null, bundle: 'store:b', ck: 'file', cds: null });

    // a run takes its reports with it; a dataset only unlinks the reports it was the current data of
    db.prepare("DELETE FROM runs WHERE run_id = 'run_1'").run();
    expect(db.prepare('SELECT report_id, current_dataset_id FROM drift_reports').all()).toEqual([{ report_id: 'drift_c', current_dataset_id: null }]);
    db.close();
  });
});
