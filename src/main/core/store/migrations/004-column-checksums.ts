/**
 * 004 — a SHA-256 for every dataset column blob, and more than a pid to tell a run's owner by.
 *
 * `dataset_columns.sha256` is the hex SHA-256 of the column's BLOB, written at insert and checked
 * on every read and by `store restore`, as artifacts and reports already are. SQLite cannot add a
 * NOT NULL column without a default, so the table is rebuilt: each existing row is copied with the
 * hash of its blob (computed here, one blob in memory at a time).
 *
 * `runs.owner_start` is the owner process's start time as the OS reports it (Linux:
 * `linux:<starttime ticks>` from /proc/<pid>/stat; NULL where the OS does not tell), so that a pid
 * reused by another program no longer counts as the run's owner. `runs.heartbeat_at` is stamped by
 * the owning process while the run is running; a run whose heartbeat went stale is not running any
 * more. Runs recorded before this migration have neither.
 */
import { createHash } from 'node:crypto';
import type { Migration } from './types';

export const migration004: Migration = {
  version: 4,
  name: 'column-checksums',
  up(db) {
    db.exec(`
      CREATE TABLE dataset_columns_new (
        dataset_id TEXT NOT NULL REFERENCES datasets (dataset_id) ON DELETE CASCADE,
        position   INTEGER NOT NULL CHECK (position >= 0),
        name       TEXT NOT NULL,
        original   TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('unit', 'cycle', 'setting', 'sensor')),
        dtype      TEXT NOT NULL CHECK (dtype IN ('int32', 'float64')),
        length     INTEGER NOT NULL CHECK (length >= 0),
        data       BLOB NOT NULL,
        sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
        PRIMARY KEY (dataset_id, position)
      ) STRICT;
    `);
    const keys = db
      .prepare<[], { dataset_id: string; position: number }>(
        'SELECT dataset_id, position FROM dataset_columns ORDER BY dataset_id, position',
      )
      .all();
    const blob = db.prepare<[string, number], { data: Buffer }>(
      'SELECT data FROM dataset_columns WHERE dataset_id = ? AND position = ?',
    );
    const copy = db.prepare<[string, string, number]>(
      `INSERT INTO dataset_columns_new (dataset_id, position, name, original, role, dtype, length, data, sha256)
       SELECT dataset_id, position, name, original, role, dtype, length, data, ? FROM dataset_columns
       WHERE dataset_id = ? AND position = ?`,
    );
    for (const k of keys) {
      const row = blob.get(k.dataset_id, k.position)!;
      copy.run(createHash('sha256').update(row.data).digest('hex'), k.dataset_id, k.position);
    }
    db.exec(`
      DROP TABLE dataset_columns;
      ALTER TABLE dataset_columns_new RENAME TO dataset_columns;
      CREATE UNIQUE INDEX dataset_columns_key ON dataset_columns (dataset_id, role) WHERE role IN ('unit', 'cycle');
      CREATE UNIQUE INDEX dataset_columns_name ON dataset_columns (dataset_id, name) WHERE role IN ('setting', 'sensor');

      ALTER TABLE runs ADD COLUMN owner_start TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
    `);
  },
};
