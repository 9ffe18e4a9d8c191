/**
 * 007 — drift reports.
 *
 * One row per stored drift report: what was compared (the reference: a run of this store or a
 * bundle; the current data: a dataset of this store or a file by name), how (comparison, method,
 * thresholds), the figures a history list shows (dataset drift, drifted share, estimated F2, domain
 * AUC) and the whole report as JSON (checked with json_valid).
 *
 * Deleting a run deletes its drift reports with it (as its other reports go): a report about a run
 * that no longer exists cannot be opened against anything. Deleting the current dataset keeps the
 * report: `current_dataset_id` becomes NULL (the data is gone) while its id and name stay in
 * `current_id`, `current_label` and the report JSON. Bundles live in the store folder, not in SQLite, so a bundle
 * report keeps the bundle id as text whether or not the bundle is still there.
 */
import type { Migration } from './types';

export const migration007: Migration = {
  version: 7,
  name: 'drift-reports',
  up(db) {
    db.exec(`
      CREATE TABLE drift_reports (
        report_id          TEXT PRIMARY KEY,
        created_at         TEXT NOT NULL,
        source_kind        TEXT NOT NULL CHECK (source_kind IN ('run', 'bundle')),
        run_id             TEXT REFERENCES runs (run_id) ON DELETE CASCADE,
        bundle_id          TEXT,
        source_label       TEXT NOT NULL,
        current_kind       TEXT NOT NULL CHECK (current_kind IN ('dataset', 'file')),
        current_id         TEXT NOT NULL,
        current_dataset_id TEXT REFERENCES datasets (dataset_id) ON DELETE SET NULL,
        current_label      TEXT NOT NULL,
        current_rows       INTEGER NOT NULL CHECK (current_rows >= 0),
        current_units      INTEGER NOT NULL CHECK (current_units >= 0),
        current_labelled   INTEGER NOT NULL CHECK (current_labelled IN (0, 1)),
        comparison         TEXT NOT NULL CHECK (comparison IN ('matched', 'unmatched')),
        method             TEXT NOT NULL CHECK (method IN ('auto', 'psi', 'ks', 'wasserstein', 'jsd', 'hellinger')),
        thresholds_json    TEXT NOT NULL CHECK (json_valid(thresholds_json)),
        dataset_drift      INTEGER NOT NULL CHECK (dataset_drift IN (0, 1)),
        drifted_share      REAL NOT NULL CHECK (drifted_share BETWEEN 0 AND 1),
        estimated_f2       REAL,
        domain_auc         REAL NOT NULL,
        report_json        TEXT NOT NULL CHECK (json_valid(report_json)),
        CHECK ((source_kind = 'run' AND run_id IS NOT NULL AND bundle_id IS NULL)
            OR (source_kind = 'bundle' AND bundle_id IS NOT NULL AND run_id IS NULL)),
        CHECK (current_kind = 'dataset' OR current_dataset_id IS NULL)
      ) STRICT;
      CREATE INDEX drift_reports_run ON drift_reports (run_id, created_at);
      CREATE INDEX drift_reports_bundle ON drift_reports (bundle_id, created_at);
      CREATE INDEX drift_reports_current ON drift_reports (current_dataset_id);
    `);
  },
};
