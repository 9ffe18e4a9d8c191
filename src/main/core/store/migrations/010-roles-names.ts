/**
 * 010 — dataset roles and names for runs and bundles.
 *
 * `datasets.role`: what a dataset is for — `training` (a run-to-failure fleet, every unit's last row
 * is its failure), `test` (a fleet cut before failure, with the RUL file that says how long each unit
 * had left) or `unlabeled` (a fleet in service: lives unknown). New imports get a guessed role (see
 * src/main/core/data/role-guess.ts) that the analyst can change. A dataset imported before roles
 * existed gets the role every view already took it for: `test` with a RUL file, else `training`
 * (labels counted down to each unit's last row). A migration holds literal SQL, so it does not guess.
 *
 * `runs.name`: an optional name the analyst gives a run (NULL: shown by its id).
 *
 * `bundle_names`: names of bundles in the library. A bundle is a folder (or zip) whose bytes are
 * signed and checksummed, so its name is kept in the store, keyed by the library's bundle id, and
 * never written into the bundle.
 */
import type { Migration } from './types';

export const migration010: Migration = {
  version: 10,
  name: 'roles-names',
  up(db) {
    db.exec(`
      ALTER TABLE datasets ADD COLUMN role TEXT NOT NULL DEFAULT 'unlabeled' CHECK (role IN ('training', 'test', 'unlabeled'));
      UPDATE datasets SET role = CASE WHEN has_rul_at_end = 1 THEN 'test' ELSE 'training' END;
      CREATE INDEX datasets_role ON datasets (role, created_at);

      ALTER TABLE runs ADD COLUMN name TEXT CHECK (name IS NULL OR length(trim(name)) BETWEEN 1 AND 200);

      CREATE TABLE bundle_names (
        bundle_id  TEXT PRIMARY KEY,
        name       TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
