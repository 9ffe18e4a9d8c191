/** Migration 012 (experiment and run notes and tags; runs that outlive their dataset) on a version-11 store. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appliedMigrations, migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { createExperiment, createRun, addArtifact, logMetrics, logParams } from '../../../src/main/core/store/runs';
import { columnNames, makeTable, newDataset, tableNames, tempDir } from './helpers';

const upTo11 = MIGRATIONS.filter((m) => m.version <= 11);
const owner = { pid: 1, start: null };

function openDb(dir: string): Database.Database {
  const db = new Database(join(dir, 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

describe('012 experiments notes and tags', () => {
  it('keeps every run with its params, metrics and artifacts, and a dataset delete still takes its runs', () => {
    const dir = tempDir();
    // a store written by the previous build: schema 11 with a dataset, an experiment and two runs
    const db = openDb(dir);
    migrate(db, upTo11);
    db.close();
    const old = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    const d = old.insertDataset(newDataset(makeTable([4, 5])));
    const d2 = old.insertDataset(newDataset(makeTable([3, 3], { seed: 7 }), { name: 'other' }));
    old.close();
    const raw = openDb(dir);
    // later migrations (other tables) stay applied: only 012 is undone, and migrate fills the gap
    raw.exec('DELETE FROM schema_migrations WHERE version = 12');
    // the store opened above applied 012 already; rebuild the version-11 runs table to test the real path
    raw.pragma('foreign_keys = OFF');
    raw.exec(`DROP TABLE run_imports; DROP TRIGGER datasets_delete_runs; DROP TABLE runs;
      CREATE TABLE runs (
        run_id              TEXT PRIMARY KEY,
        experiment_id       TEXT REFERENCES experiments (experiment_id) ON DELETE CASCADE,
        dataset_id          TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        kind                TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        config_json         TEXT NOT NULL,
        seed                INTEGER NOT NULL,
        dataset_fingerprint TEXT NOT NULL,
        backend             TEXT,
        error               TEXT,
        result_json         TEXT,
        owner_pid           INTEGER,
        created_at          TEXT NOT NULL,
        finished_at         TEXT
      ) STRICT;
      CREATE INDEX runs_dataset ON runs (dataset_id);
      CREATE INDEX runs_experiment ON runs (experiment_id);
      CREATE INDEX runs_status ON runs (status);
      ALTER TABLE runs ADD COLUMN owner_start TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE runs ADD COLUMN name TEXT CHECK (name IS NULL OR length(trim(name)) BETWEEN 1 AND 200);
      ALTER TABLE experiments DROP COLUMN notes; ALTER TABLE experiments DROP COLUMN tags_json;`);
    raw.pragma('foreign_keys = ON');
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    const exp = createExperiment(raw, 'study');
    const r1 = createRun(raw, { experimentId: exp, datasetId: d.datasetId, kind: 'train', config: { a: 1 }, seed: 1, datasetFingerprint: d.fingerprint }, owner);
    const r2 = createRun(raw, { datasetId: d2.datasetId, kind: 'train', config: { a: 2 }, seed: 2, datasetFingerprint: d2.fingerprint }, owner);
    logParams(raw, r1, { depth: 3 });
    logMetrics(raw, r1, [{ key: 'loss', value: 0.5, step: 1 }]);
    addArtifact(raw, r1, { name: 'model.json', kind: 'model', data: new TextEncoder().encode('{}') });
    const runsBefore = raw.prepare('SELECT * FROM runs ORDER BY run_id').all();
    const childrenBefore = ['params', 'metrics', 'artifacts'].map((t) => raw.prepare(`SELECT count(*) AS n FROM ${t}`).get());

    expect(migrate(raw, MIGRATIONS)).toEqual([12]);
    expect(appliedMigrations(raw).find((m) => m.version === 12)).toMatchObject({ version: 12, name: 'experiments-notes-tags' });
    expect(raw.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(tableNames(raw)).toContain('run_imports');
    expect(columnNames(raw, 'experiments')).toEqual(expect.arrayContaining(['notes', 'tags_json']));
    expect(columnNames(raw, 'runs')).toEqual(expect.arrayContaining(['name', 'notes', 'tags_json', 'owner_start', 'heartbeat_at']));
    const runsAfter = raw.prepare('SELECT * FROM runs ORDER BY run_id').all() as Record<string, unknown>[];
    expect(runsAfter.map(({ notes: _n, tags_json: _t, ...rest }) => rest)).toEqual(runsBefore);
    expect(runsAfter.map((r) => [r.notes, r.tags_json])).toEqual([['', '[]'], ['', '[]']]);
    expect(['params', 'metrics', 'artifacts'].map((t) => raw.prepare(`SELECT count(*) AS n FROM ${t}`).get())).toEqual(childrenBefore);
    // the indexes came back; the runs' children still refer to runs
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND name LIKE 'runs_%' ORDER BY name").all()).toEqual([{ name: 'runs_dataset' }, { name: 'runs_experiment' }, { name: 'runs_status' }]);
    expect(() => raw.prepare("INSERT INTO params (run_id, key, value_json) VALUES ('run_missing', 'k', '1')").run()).toThrow(/FOREIGN KEY/);
    expect(() => raw.prepare("UPDATE runs SET tags_json = '{}' WHERE run_id = ?").run(r1)).toThrow(/CHECK/);
    // a run may name a dataset this store does not hold (an imported run's lineage)
    raw.prepare("INSERT INTO runs (run_id, dataset_id, kind, status, config_json, seed, dataset_fingerprint, created_at) VALUES ('run_moved', 'ds_elsewhere', 'train', 'done', '{}', 1, 'f', 'x')").run();
    // deleting a dataset still deletes its runs and what they hold
    raw.prepare('DELETE FROM datasets WHERE dataset_id = ?').run(d.datasetId);
    expect(raw.prepare('SELECT run_id FROM runs ORDER BY run_id').all()).toEqual([{ run_id: r2 }, { run_id: 'run_moved' }].sort((a, b) => a.run_id.localeCompare(b.run_id)));
    expect(['params', 'metrics', 'artifacts'].map((t) => (raw.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n)).toEqual([0, 0, 0]);
    expect(migrate(raw, MIGRATIONS)).toEqual([]);
    raw.close();

    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    try {
      const book = store.experiments();
      expect(book.resolve('study')).toMatchObject({ name: 'study', notes: '', tags: [], runs: 0 });
      expect(book.tag(exp, ['b', 'a', 'a']).tags).toEqual(['a', 'b']);
      expect(book.ensureDefault().name).toBe('Default');
      expect(() => book.create('study')).toThrow(/exists already/);
    } finally {
      store.close();
    }
  });
});
