/**
 * 009 — report templates and PDF maintenance reports.
 *
 * `report_templates`: the analyst's templates as canonical JSON (keys sorted, every default filled
 * in), names unique regardless of case. The built-in "Standard" is stored as `{"name":"Standard"}`:
 * it is read through the template schema like any other, so it always holds the defaults of the
 * build that reads it; it cannot be changed or deleted (the service refuses with CONFLICT).
 *
 * `fleet_reports`: one row per generated report: what the history lists (title, fleet, counts), the
 * identity of its inputs (dataset fingerprint, model, template hash, the request's own inputs as
 * JSON) and the PDF as a BLOB with its size and SHA-256, checked on every read. A report is a
 * document that was handed out, so it outlives what it was made from: deleting its dataset only
 * clears `dataset_id` (the fingerprint stays); `run_id` and `bundle_id` are plain text, not foreign
 * keys, so deleting the run or the bundle keeps the report. The legacy `reports` table of migration
 * 003 (run-scoped documents, deleted with their run) is left as it is.
 *
 * `fleet_report_units`: each report's units with their probability and risk bucket, which the next
 * report of the same fleet compares itself with ("what changed since the previous report").
 */
import type { Migration } from './types';

export const migration009: Migration = {
  version: 9,
  name: 'fleet-reports',
  up(db) {
    db.exec(`
      CREATE TABLE report_templates (
        template_id   TEXT PRIMARY KEY,
        name          TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 120),
        template_json TEXT NOT NULL CHECK (json_valid(template_json)),
        built_in      INTEGER NOT NULL CHECK (built_in IN (0, 1)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;

      INSERT INTO report_templates (template_id, name, template_json, built_in, created_at, updated_at)
        VALUES ('tpl_standard', 'Standard', '{"name":"Standard"}', 1, '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z');

      CREATE TABLE fleet_reports (
        report_id           TEXT PRIMARY KEY,
        created_at          TEXT NOT NULL,
        stored_at           TEXT NOT NULL,
        title               TEXT NOT NULL,
        fleet               TEXT NOT NULL CHECK (length(fleet) >= 1),
        dataset_id          TEXT REFERENCES datasets (dataset_id) ON DELETE SET NULL,
        dataset_fingerprint TEXT NOT NULL,
        source_kind         TEXT NOT NULL CHECK (source_kind IN ('run', 'bundle')),
        run_id              TEXT NOT NULL,
        bundle_id           TEXT,
        bundle_sha256       TEXT,
        template_name       TEXT NOT NULL,
        template_sha256     TEXT NOT NULL CHECK (length(template_sha256) = 64),
        inputs_json         TEXT NOT NULL CHECK (json_valid(inputs_json)),
        pages               INTEGER NOT NULL CHECK (pages >= 1),
        units               INTEGER NOT NULL CHECK (units >= 0),
        at_risk             INTEGER NOT NULL CHECK (at_risk >= 0),
        soon                INTEGER NOT NULL CHECK (soon >= 0),
        size                INTEGER NOT NULL CHECK (size >= 0),
        sha256              TEXT NOT NULL CHECK (length(sha256) = 64),
        data                BLOB NOT NULL,
        saved_path          TEXT,
        CHECK ((source_kind = 'run' AND bundle_id IS NULL AND bundle_sha256 IS NULL)
            OR (source_kind = 'bundle' AND bundle_sha256 IS NOT NULL))
      ) STRICT;
      CREATE INDEX fleet_reports_fleet ON fleet_reports (fleet, created_at);
      CREATE INDEX fleet_reports_created ON fleet_reports (created_at);
      CREATE INDEX fleet_reports_dataset ON fleet_reports (dataset_id);

      CREATE TABLE fleet_report_units (
        report_id   TEXT NOT NULL REFERENCES fleet_reports (report_id) ON DELETE CASCADE,
        unit        INTEGER NOT NULL,
        probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
        bucket      TEXT NOT NULL CHECK (bucket IN ('now', 'soon', 'later')),
        PRIMARY KEY (report_id, unit)
      ) STRICT;
    `);
  },
};
