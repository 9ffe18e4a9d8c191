/**
 * 002 — experiments, runs, parameters and step-wise metrics.
 *
 * A run belongs to a dataset (deleted with it) and optionally to an experiment. `owner_pid` is the
 * process that created the run: on open, a run still 'running' whose owner is gone is marked
 * 'failed', while a run a live process (e.g. the app, while the CLI opens the same store) is still
 * training is left alone. Parameter values are JSON (string, number or boolean keep their type).
 * A metric's `step` is NULL for a single value (e.g. the test F2) and an iteration/epoch number
 * for curves; `value` NULL stands for NaN, which SQLite cannot store.
 */
import type { Migration } from './types';

export const migration002: Migration = {
  version: 2,
  name: 'experiments-runs',
  up(db) {
    db.exec(`
      CREATE TABLE experiments (
        experiment_id TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        created_at    TEXT NOT NULL
      ) STRICT;

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

      CREATE TABLE params (
        run_id     TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        key        TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) STRICT;

      CREATE TABLE metrics (
        metric_id INTEGER PRIMARY KEY,
        run_id    TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        key       TEXT NOT NULL,
        step      INTEGER,
        value     REAL,
        logged_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX metrics_run_key_step ON metrics (run_id, key, step);
    `);
  },
};
