/** Migration 014 (the model registry): tables, the one-Production index, checks and cascades. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { columnNames, indexNames, tableNames, tempDir } from '../store/helpers';

function migrated(): Database.Database {
  const db = new Database(join(tempDir(), 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS);
  return db;
}

describe('014 registry', () => {
  it('creates the registry tables and indexes', () => {
    const db = migrated();
    expect(tableNames(db)).toEqual(expect.arrayContaining(['registered_models', 'model_versions', 'model_transitions']));
    expect(columnNames(db, 'model_versions')).toEqual([
      'model_id', 'version', 'source_kind', 'run_id', 'bundle_id', 'config_sha256', 'dataset_fingerprint', 'manifest_sha256', 'signing_key_id', 'metrics_json', 'stage', 'created_at', 'created_by',
    ]);
    expect(columnNames(db, 'model_transitions')).toEqual(['transition_id', 'model_id', 'version', 'from_stage', 'to_stage', 'actor', 'reason', 'at', 'checks_json', 'forced', 'caused_by']);
    expect(indexNames(db, 'model_versions')).toEqual(expect.arrayContaining(['model_versions_one_production', 'model_versions_run', 'model_versions_bundle']));
    db.close();
  });

  it('allows one Production version per model, any number of other stages, and checks every field', () => {
    const db = migrated();
    db.prepare("INSERT INTO registered_models (name, created_at) VALUES ('a', 't'), ('b', 't')").run();
    const add = db.prepare("INSERT INTO model_versions (model_id, version, source_kind, run_id, dataset_fingerprint, metrics_json, stage, created_at, created_by) VALUES (?, ?, 'run', 'run_x', 'fp', '{}', ?, 't', 'u')");
    add.run(1, 1, 'Production');
    add.run(1, 2, 'Staging');
    add.run(1, 3, 'Staging');
    add.run(2, 1, 'Production');
    expect(() => add.run(1, 4, 'Production')).toThrow(/UNIQUE constraint failed: model_versions\.model_id/);
    expect(() => db.prepare("UPDATE model_versions SET stage = 'Production' WHERE model_id = 1 AND version = 2").run()).toThrow(/UNIQUE/);
    expect(() => add.run(1, 5, 'Live')).toThrow(/CHECK constraint failed/);
    expect(() => add.run(1, 0, 'None')).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("INSERT INTO registered_models (name, created_at) VALUES ('A', 't')").run()).toThrow(/UNIQUE/);
    // a bundle version needs its bundle id and manifest SHA-256
    expect(() => db.prepare("INSERT INTO model_versions (model_id, version, source_kind, run_id, dataset_fingerprint, metrics_json, created_at, created_by) VALUES (1, 9, 'bundle', 'run_x', 'fp', '{}', 't', 'u')").run()).toThrow(/CHECK/);
    // a forced transition needs a reason
    expect(() => db.prepare("INSERT INTO model_transitions (model_id, version, to_stage, actor, at, checks_json, forced) VALUES (1, 2, 'Production', 'u', 't', '[]', 1)").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO model_transitions (model_id, version, to_stage, actor, at, checks_json, forced) VALUES (1, 2, 'Staging', 'u', 't', '[]', 0)").run();
    // deleting a model deletes its versions and their history
    db.prepare('DELETE FROM registered_models WHERE model_id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM model_versions WHERE model_id = 1').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM model_transitions').get()).toEqual({ n: 0 });
    db.close();
  });
});
