/**
 * 001 — datasets, stored columnar.
 *
 * A dataset's table is kept as one row per column, holding the column's typed array as a BLOB
 * (Int32 for unit and cycle, Float64 for settings and sensors), in file order (`position`).
 * Why: the rest of Prognos works on whole columns (features, scaling, windows), and an import of
 * 1M rows × 26 columns commits 26 blobs instead of 1M row inserts. Measured on a 2-core dev VM
 * (better-sqlite3, WAL, one transaction each): ~1.5–1.8 s for the 26 blobs against ~6.5–8.5 s for
 * 1M prepared row inserts, and a 200 MB file against 261 MB. A chart or a preview reads only the
 * columns it needs. Row-level SQL queries on sensor values are not a use case.
 *
 * `rul_at_end` holds the RUL file of a test set: the true remaining cycles after each unit's last
 * row. `has_rul_at_end` tells an imported empty RUL map apart from a run-to-failure set.
 */
import type { Migration } from './types';

export const migration001: Migration = {
  version: 1,
  name: 'datasets',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        dataset_id     TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        format         TEXT NOT NULL CHECK (format IN ('cmapss', 'csv')),
        source_file    TEXT NOT NULL,
        rul_file       TEXT,
        fingerprint    TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        row_count      INTEGER NOT NULL CHECK (row_count >= 0),
        unit_count     INTEGER NOT NULL,
        min_cycles     INTEGER NOT NULL,
        max_cycles     INTEGER NOT NULL,
        has_rul_at_end INTEGER NOT NULL CHECK (has_rul_at_end IN (0, 1)),
        summary_json   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX datasets_fingerprint ON datasets (fingerprint);
      CREATE INDEX datasets_created ON datasets (created_at);

      CREATE TABLE dataset_columns (
        dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        position   INTEGER NOT NULL CHECK (position >= 0),
        name       TEXT NOT NULL,
        original   TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('unit', 'cycle', 'setting', 'sensor')),
        dtype      TEXT NOT NULL CHECK (dtype IN ('int32', 'float64')),
        length     INTEGER NOT NULL CHECK (length >= 0),
        data       BLOB NOT NULL,
        PRIMARY KEY (dataset_id, position)
      ) STRICT;
      -- one unit and one cycle column per dataset; value column names are unique within a dataset
      CREATE UNIQUE INDEX dataset_columns_key ON dataset_columns (dataset_id, role) WHERE role IN ('unit', 'cycle');
      CREATE UNIQUE INDEX dataset_columns_name ON dataset_columns (dataset_id, name) WHERE role IN ('setting', 'sensor');

      CREATE TABLE rul_at_end (
        dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        unit       INTEGER NOT NULL,
        rul        INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, unit)
      ) STRICT;
    `);
  },
};
