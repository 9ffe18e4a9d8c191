/**
 * 012 — experiments with notes and tags, runs with notes and tags, and runs that outlive their dataset.
 *
 * `experiments.notes`, `runs.notes`: free text ('' when none). `experiments.tags_json`,
 * `runs.tags_json`: a JSON array of tag strings ('[]' when none).
 *
 * A run moved from another store (`prognos runs import`) arrives without its dataset: it keeps the
 * dataset's id and fingerprint as lineage. `runs.dataset_id` therefore no longer references
 * `datasets`; deleting a dataset still deletes its runs, through the trigger `datasets_delete_runs`
 * in place of the former cascade. The table is rebuilt (SQLite cannot drop a constraint in place) with
 * the stored definition minus that one clause, so columns added by later migrations survive in a store
 * that applied them first; foreign keys are off while it is rebuilt, and checked before it commits.
 *
 * `run_imports`: where an imported run came from — the dataset's name, the archive's SHA-256, when.
 */
import type Database from 'better-sqlite3';
import type { Migration } from './types';

const DATASET_FK = /\s*REFERENCES\s+"?datasets"?\s*\(\s*"?dataset_id"?\s*\)\s*ON\s+DELETE\s+CASCADE/i;

function rebuildRunsWithoutDatasetKey(db: Database.Database): void {
  const table = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
  if (table === undefined || !DATASET_FK.test(table.sql)) return;
  const others = db
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'runs' AND sql IS NOT NULL")
    .all();
  const definition = table.sql.replace(DATASET_FK, '').replace(/^CREATE TABLE\s+"?runs"?/i, 'CREATE TABLE runs_rebuilt');
  db.exec(definition);
  db.exec('INSERT INTO runs_rebuilt SELECT * FROM runs');
  db.exec('DROP TABLE runs');
  db.exec('ALTER TABLE runs_rebuilt RENAME TO runs');
  for (const o of others) db.exec(o.sql);
}

export const migration012: Migration = {
  version: 12,
  name: 'experiments-notes-tags',
  foreignKeysOff: true,
  up(db) {
    rebuildRunsWithoutDatasetKey(db);
    db.exec(`
      ALTER TABLE experiments ADD COLUMN notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 20000);
      ALTER TABLE experiments ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags_json) AND json_type(tags_json) = 'array');
      ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 20000);
      ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags_json) AND json_type(tags_json) = 'array');

      CREATE TRIGGER datasets_delete_runs AFTER DELETE ON datasets
      BEGIN
        DELETE FROM runs WHERE dataset_id = OLD.dataset_id;
      END;

      CREATE TABLE run_imports (
        run_id              TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
        source_run_id       TEXT NOT NULL,
        dataset_name        TEXT,
        archive_sha256      TEXT NOT NULL CHECK (length(archive_sha256) = 64),
        source_app_version  TEXT,
        imported_at         TEXT NOT NULL
      ) STRICT;
    `);
  },
};
