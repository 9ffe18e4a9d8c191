/**
 * 003 — artifacts, registered models and reports.
 *
 * Artifacts (model files, feature specs, plots) are BLOBs with their SHA-256 and size, checked on
 * every read. A run's artifact names are unique. A registered model points at one artifact of its
 * run; one model per kind and run. Reports may belong to a run or stand alone (run_id NULL).
 */
import type { Migration } from './types';

export const migration003: Migration = {
  version: 3,
  name: 'artifacts-models-reports',
  up(db) {
    db.exec(`
      CREATE TABLE artifacts (
        artifact_id TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        media_type  TEXT,
        size        INTEGER NOT NULL CHECK (size >= 0),
        sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
        data        BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        UNIQUE (run_id, name)
      ) STRICT;

      CREATE TABLE models (
        run_id      TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        artifact_id TEXT NOT NULL REFERENCES artifacts (artifact_id) ON DELETE CASCADE,
        meta_json   TEXT,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (run_id, kind)
      ) STRICT;
      CREATE INDEX models_artifact ON models (artifact_id);

      CREATE TABLE reports (
        report_id  TEXT PRIMARY KEY,
        run_id     TEXT REFERENCES runs (run_id) ON DELETE CASCADE,
        title      TEXT NOT NULL,
        size       INTEGER NOT NULL CHECK (size >= 0),
        sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
        data       BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX reports_run ON reports (run_id);
    `);
  },
};
