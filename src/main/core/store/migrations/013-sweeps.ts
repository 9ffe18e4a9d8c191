/**
 * 013 — hyperparameter sweeps and their trials.
 *
 * `sweeps`: one search over a space (the space file's text, its sampler, objective, trial count,
 * parallelism and seed) on a dataset, in an experiment (deleted with either); `sweep_key` (SHA-256 of
 * what defines the sweep) finds an unfinished sweep when the same command is given again; the owner
 * (pid + start time) is the process running it, so a second process does not run it at once.
 *
 * `sweep_trials`: every trial is recorded with its sampled parameters before it starts ('pending'),
 * then points at the run training it ('running'), then ends 'done' (with its objective), 'pruned' or
 * 'failed'. A trial whose process died is started again with the same parameters; `attempts` counts
 * its starts and `previous_runs_json` keeps the ids of the runs that were interrupted.
 */
import type { Migration } from './types';

export const migration013: Migration = {
  version: 13,
  name: 'sweeps',
  up(db) {
    db.exec(`
      CREATE TABLE sweeps (
        sweep_id      TEXT PRIMARY KEY,
        experiment_id TEXT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
        dataset_id    TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        sweep_key     TEXT NOT NULL CHECK (length(sweep_key) = 64),
        space_text    TEXT NOT NULL,
        space_file    TEXT NOT NULL,
        sampler       TEXT NOT NULL CHECK (sampler IN ('grid', 'random', 'tpe')),
        objective     TEXT NOT NULL CHECK (objective IN ('f2', 'rmse')),
        trials        INTEGER NOT NULL CHECK (trials >= 1),
        parallel      INTEGER NOT NULL CHECK (parallel >= 1),
        seed          INTEGER NOT NULL,
        pruning       INTEGER NOT NULL CHECK (pruning IN (0, 1)),
        status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
        error         TEXT,
        owner_pid     INTEGER,
        owner_start   TEXT,
        created_at    TEXT NOT NULL,
        finished_at   TEXT
      ) STRICT;
      CREATE INDEX sweeps_key ON sweeps (sweep_key);

      CREATE TABLE sweep_trials (
        sweep_id           TEXT NOT NULL REFERENCES sweeps (sweep_id) ON DELETE CASCADE,
        trial_no           INTEGER NOT NULL CHECK (trial_no >= 0),
        params_json        TEXT NOT NULL CHECK (json_valid(params_json)),
        status             TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'pruned', 'failed')),
        run_id             TEXT REFERENCES runs (run_id) ON DELETE SET NULL,
        objective          REAL,
        attempts           INTEGER NOT NULL DEFAULT 0,
        previous_runs_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(previous_runs_json)),
        note               TEXT,
        created_at         TEXT NOT NULL,
        finished_at        TEXT,
        PRIMARY KEY (sweep_id, trial_no)
      ) STRICT;
      CREATE INDEX sweep_trials_run ON sweep_trials (run_id);
    `);
  },
};
