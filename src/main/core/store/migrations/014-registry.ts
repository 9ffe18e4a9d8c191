/**
 * 014 — the model registry.
 *
 * `registered_models`: a named model (names unique regardless of case).
 *
 * `model_versions`: the numbered versions of a model (1, 2, …). A version is a run of this store or
 * a bundle of the library, with the fingerprints that say which one exactly: the SHA-256 of the run's
 * config (canonical JSON) and the training dataset's fingerprint, and for a bundle also the SHA-256
 * of its manifest.json and the key that signed it (NULL: unsigned or unknown). `run_id` is the run
 * (for a bundle: the run its manifest names) as plain text, not a foreign key: a version is a record
 * of what was registered and outlives the run, as reports do. `metrics_json` holds the validation
 * figures the promotion checks compare (headline F2, RUL RMSE), read at registration.
 *
 * Stages None, Staging, Production, Archived. At most one Production version per model is enforced
 * by the partial unique index `model_versions_one_production`, whatever writes the table.
 *
 * `model_transitions`: every change of stage (and the registration itself, from NULL to None): from,
 * to, who, why, when, the checks' result as JSON, whether it was forced, and for a version moved
 * by another's promotion (Production → Archived) the version that caused it.
 */
import type { Migration } from './types';

export const migration014: Migration = {
  version: 14,
  name: 'registry',
  up(db) {
    db.exec(`
      CREATE TABLE registered_models (
        model_id   INTEGER PRIMARY KEY,
        name       TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 100),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE model_versions (
        model_id            INTEGER NOT NULL REFERENCES registered_models (model_id) ON DELETE CASCADE,
        version             INTEGER NOT NULL CHECK (version >= 1),
        source_kind         TEXT NOT NULL CHECK (source_kind IN ('run', 'bundle')),
        run_id              TEXT NOT NULL CHECK (length(run_id) >= 1),
        bundle_id           TEXT,
        config_sha256       TEXT CHECK (config_sha256 IS NULL OR length(config_sha256) = 64),
        dataset_fingerprint TEXT NOT NULL,
        manifest_sha256     TEXT CHECK (manifest_sha256 IS NULL OR length(manifest_sha256) = 64),
        signing_key_id      TEXT CHECK (signing_key_id IS NULL OR length(signing_key_id) = 64),
        metrics_json        TEXT NOT NULL CHECK (json_valid(metrics_json)),
        stage               TEXT NOT NULL DEFAULT 'None' CHECK (stage IN ('None', 'Staging', 'Production', 'Archived')),
        created_at          TEXT NOT NULL,
        created_by          TEXT NOT NULL,
        PRIMARY KEY (model_id, version),
        CHECK ((source_kind = 'run' AND bundle_id IS NULL AND manifest_sha256 IS NULL AND signing_key_id IS NULL)
            OR (source_kind = 'bundle' AND bundle_id IS NOT NULL AND manifest_sha256 IS NOT NULL))
      ) STRICT;
      CREATE UNIQUE INDEX model_versions_one_production ON model_versions (model_id) WHERE stage = 'Production';
      CREATE INDEX model_versions_run ON model_versions (run_id);
      CREATE INDEX model_versions_bundle ON model_versions (bundle_id);

      CREATE TABLE model_transitions (
        transition_id INTEGER PRIMARY KEY,
        model_id      INTEGER NOT NULL,
        version       INTEGER NOT NULL,
        from_stage    TEXT CHECK (from_stage IS NULL OR from_stage IN ('None', 'Staging', 'Production', 'Archived')),
        to_stage      TEXT NOT NULL CHECK (to_stage IN ('None', 'Staging', 'Production', 'Archived')),
        actor         TEXT NOT NULL CHECK (length(actor) >= 1),
        reason        TEXT,
        at            TEXT NOT NULL,
        checks_json   TEXT NOT NULL CHECK (json_valid(checks_json)),
        forced        INTEGER NOT NULL CHECK (forced IN (0, 1)),
        caused_by     INTEGER,
        FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE,
        CHECK (forced = 0 OR (reason IS NOT NULL AND length(trim(reason)) >= 1))
      ) STRICT;
      CREATE INDEX model_transitions_model ON model_transitions (model_id, transition_id);
    `);
  },
};
