/**
 * 011 — column roles remembered per header, and each dataset's sensor catalogue.
 *
 * `column_mappings`: the roles (unit, cycle, setting, sensor, ignore) the analyst gave the columns of a
 * CSV header, keyed by the header's signature (SHA-256 of its names in order), with the sensor
 * catalogue chosen with them; the next file with the same header is imported the same way.
 *
 * `dataset_sensors`: a dataset's sensor catalogue (column → display name, physical quantity, unit) as
 * JSON. Datasets imported earlier have no row: they show the default catalogue (the C-MAPSS preset
 * for C-MAPSS columns, else the headers) until the analyst edits it. Deleted with the dataset.
 */
import type { Migration } from './types';

export const migration011: Migration = {
  version: 11,
  name: 'column-mappings',
  up(db) {
    db.exec(`
      CREATE TABLE column_mappings (
        signature      TEXT PRIMARY KEY CHECK (length(signature) = 64),
        headers_json   TEXT NOT NULL CHECK (json_valid(headers_json)),
        roles_json     TEXT NOT NULL CHECK (json_valid(roles_json)),
        catalogue_json TEXT CHECK (catalogue_json IS NULL OR json_valid(catalogue_json)),
        updated_at     TEXT NOT NULL
      ) STRICT;

      CREATE TABLE dataset_sensors (
        dataset_id     TEXT PRIMARY KEY REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        catalogue_json TEXT NOT NULL CHECK (json_valid(catalogue_json)),
        updated_at     TEXT NOT NULL
      ) STRICT;
    `);
  },
};
