/**
 * 015 — feature rankings and fleet scores are stored, so a view shows the latest again after a
 * reload or in a new window.
 *
 * `feature_rankings`: one ranking per dataset and spec (SHA-256 of the training config it was
 * computed with, defaults filled in); ranking again with the same spec replaces it. Deleted with
 * the dataset.
 *
 * `fleet_scores`: one scoring per fleet (dataset) and scorer (`run:ID` or `bundle:ID`); scoring
 * again replaces it. Deleted with the dataset, and with the run that scored it.
 */
import type { Migration } from './types';

export const migration015: Migration = {
  version: 15,
  name: 'stored-results',
  up(db) {
    db.exec(`
      CREATE TABLE feature_rankings (
        dataset_id   TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        spec_hash    TEXT NOT NULL CHECK (length(spec_hash) = 64),
        config_json  TEXT NOT NULL CHECK (json_valid(config_json)),
        ranking_json TEXT NOT NULL CHECK (json_valid(ranking_json)),
        computed_at  TEXT NOT NULL,
        PRIMARY KEY (dataset_id, spec_hash)
      ) STRICT;
      CREATE INDEX feature_rankings_latest ON feature_rankings (dataset_id, computed_at);

      CREATE TABLE fleet_scores (
        dataset_id  TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        scorer_key  TEXT NOT NULL,
        run_id      TEXT REFERENCES runs (run_id) ON DELETE CASCADE,
        scores_json TEXT NOT NULL CHECK (json_valid(scores_json)),
        computed_at TEXT NOT NULL,
        PRIMARY KEY (dataset_id, scorer_key),
        CHECK (scorer_key LIKE 'run:%' OR scorer_key LIKE 'bundle:%'),
        CHECK ((scorer_key LIKE 'run:%') = (run_id IS NOT NULL))
      ) STRICT;
      CREATE INDEX fleet_scores_run ON fleet_scores (run_id);
    `);
  },
};
