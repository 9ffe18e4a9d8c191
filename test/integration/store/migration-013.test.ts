/** Migration 013 (sweeps and their trials) and the sweep store: trials recorded before they run, one owner at a time. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appliedMigrations, migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { processStartOf } from '../../../src/main/core/store/owner';
import { columnNames, makeTable, newDataset, rawConnection, tableNames, tempDir } from './helpers';

const sweepInput = (experimentId: string, datasetId: string) => ({
  experimentId,
  datasetId,
  key: 'a'.repeat(64),
  spaceText: '{ "gbdt": { "maxDepth": { "int": [2, 4] } } }',
  spaceFile: 'space.json',
  sampler: 'tpe' as const,
  objective: 'f2' as const,
  trials: 4,
  parallel: 2,
  seed: 0,
  pruning: true,
});

describe('013 sweeps', () => {
  it('adds sweeps and sweep_trials to a version-11 store, keeping its data', () => {
    const dir = tempDir();
    const old = ExperimentStore.open(dir);
    old.insertDataset(newDataset(makeTable([4, 3]), { name: 'old fleet' }));
    old.close();
    const db = new Database(join(dir, 'prognos.db'));
    db.pragma('foreign_keys = ON');
    db.exec('DROP TABLE sweep_trials; DROP TABLE sweeps; DELETE FROM schema_migrations WHERE version = 13;');
    const datasetsBefore = db.prepare('SELECT * FROM datasets').all();
    expect(migrate(db, MIGRATIONS)).toEqual([13]);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['sweeps', 'sweep_trials']));
    expect(columnNames(db, 'sweep_trials')).toEqual(['sweep_id', 'trial_no', 'params_json', 'status', 'run_id', 'objective', 'attempts', 'previous_runs_json', 'note', 'created_at', 'finished_at']);
    expect(db.prepare('SELECT * FROM datasets').all()).toEqual(datasetsBefore);
    expect(appliedMigrations(db).find((m) => m.version === 13)).toMatchObject({ version: 13, name: 'sweeps' });
    // statuses are closed sets; a trial needs its sweep
    expect(() => db.prepare("INSERT INTO sweep_trials (sweep_id, trial_no, params_json, status, created_at) VALUES ('swp_x', 0, '{}', 'pending', 'x')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('records trials before they start, keeps interrupted runs in their history, and lets one live process own a sweep', () => {
    const store = ExperimentStore.open(tempDir());
    try {
      const d = store.insertDataset(newDataset(makeTable([4, 3])));
      const experimentId = store.createExperiment('sweep');
      const sweeps = store.sweeps();
      const id = sweeps.create(sweepInput(experimentId, d.datasetId), store.owner());
      expect(id).toMatch(/^swp_/);
      sweeps.addTrial(id, 0, { 'gbdt.maxDepth': 3 });
      expect(() => sweeps.addTrial(id, 0, { 'gbdt.maxDepth': 4 })).toThrow(/already has trial 0/);
      const run1 = store.createRun({ experimentId, datasetId: d.datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'fp' });
      sweeps.startTrial(id, 0, run1);
      const run2 = store.createRun({ experimentId, datasetId: d.datasetId, kind: 'train', config: {}, seed: 1, datasetFingerprint: 'fp' });
      sweeps.startTrial(id, 0, run2);
      sweeps.finishTrial(id, 0, 'done', 0.9);
      expect(sweeps.trials(id)).toEqual([expect.objectContaining({ trialNo: 0, params: { 'gbdt.maxDepth': 3 }, status: 'done', runId: run2, objective: 0.9, attempts: 2, previousRunIds: [run1] })]);
      expect(sweeps.unfinished('a'.repeat(64))?.sweepId).toBe(id);

      // another live process (the parent of this one) owns it: refused; a dead one: taken over
      const parent = { pid: process.ppid, start: processStartOf(process.ppid) };
      const db = rawConnection(store.dbPath);
      db.prepare('UPDATE sweeps SET owner_pid = ?, owner_start = ? WHERE sweep_id = ?').run(parent.pid, parent.start, id);
      expect(() => sweeps.claim(id, store.owner())).toThrow(/is being run by process/);
      db.prepare('UPDATE sweeps SET owner_pid = ?, owner_start = ? WHERE sweep_id = ?').run(2 ** 22 + 12345, 'linux:1', id);
      expect(sweeps.claim(id, store.owner()).owner).toEqual(store.owner());
      sweeps.finish(id, 'done');
      expect(() => sweeps.claim(id, store.owner())).toThrow(/has finished/);
      expect(sweeps.unfinished('a'.repeat(64))).toBeUndefined();
      // deleting the experiment takes the sweep and its trials
      db.prepare('DELETE FROM experiments WHERE experiment_id = ?').run(experimentId);
      expect(sweeps.get(id)).toBeUndefined();
      db.close();
    } finally {
      store.close();
    }
  });
});
